// MD5 of four independent byte streams at once, one per lane of wasm SIMD128 (i32x4): the upload's
// part MD5s are independent of each other, and one lane per part hashed 1.68 GB/s in Node where
// hash-wasm's one-stream MD5 hashed 0.63 (2.7x; docs/benchmarks.md, sixth session). Blocks only:
// the caller (src/core/hash/md5x4.ts) pads each stream and keeps a finished lane's state apart.
// Built by wasm/md5x4/build.sh into src/core/hash/md5x4-wasm.ts.
#include <wasm_simd128.h>
#include <stdint.h>
#define ROTL(x, c) wasm_v128_or(wasm_i32x4_shl(x, c), wasm_u32x4_shr(x, 32 - (c)))
#define F(x, y, z) wasm_v128_bitselect(y, z, x)
#define G(x, y, z) wasm_v128_bitselect(x, y, z)
#define H(x, y, z) wasm_v128_xor(wasm_v128_xor(x, y), z)
#define I(x, y, z) wasm_v128_xor(y, wasm_v128_or(x, wasm_v128_not(z)))
#define STEP(f, a, b, c, d, w, k, s) \
  a = wasm_i32x4_add(b, ROTL(wasm_i32x4_add(wasm_i32x4_add(a, f(b, c, d)), wasm_i32x4_add(w, wasm_i32x4_splat(k))), s))

static const uint32_t K[64] = {
0xd76aa478,0xe8c7b756,0x242070db,0xc1bdceee,0xf57c0faf,0x4787c62a,0xa8304613,0xfd469501,0x698098d8,0x8b44f7af,0xffff5bb1,0x895cd7be,0x6b901122,0xfd987193,0xa679438e,0x49b40821,
0xf61e2562,0xc040b340,0x265e5a51,0xe9b6c7aa,0xd62f105d,0x02441453,0xd8a1e681,0xe7d3fbc8,0x21e1cde6,0xc33707d6,0xf4d50d87,0x455a14ed,0xa9e3e905,0xfcefa3f8,0x676f02d9,0x8d2a4c8a,
0xfffa3942,0x8771f681,0x6d9d6122,0xfde5380c,0xa4beea44,0x4bdecfa9,0xf6bb4b60,0xbebfbc70,0x289b7ec6,0xeaa127fa,0xd4ef3085,0x04881d05,0xd9d4d039,0xe6db99e5,0x1fa27cf8,0xc4ac5665,
0xf4292244,0x432aff97,0xab9423a7,0xfc93a039,0x655b59c3,0x8f0ccc92,0xffeff47d,0x85845dd1,0x6fa87e4f,0xfe2ce6e0,0xa3014314,0x4e0811a1,0xf7537e82,0xbd3af235,0x2ad7d2bb,0xeb86d391};

/* state: 4 vectors (a,b,c,d), lane j = stream j; p[j]: stream j's blocks; n blocks each */
void md5x4_blocks(v128_t *state, const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3, uint32_t n) {
  v128_t a = state[0], b = state[1], c = state[2], d = state[3];
  const uint32_t *q0 = (const uint32_t *)p0, *q1 = (const uint32_t *)p1, *q2 = (const uint32_t *)p2, *q3 = (const uint32_t *)p3;
  for (uint32_t blk = 0; blk < n; blk++) {
    v128_t w[16];
    for (int i = 0; i < 16; i++) w[i] = wasm_i32x4_make(q0[i], q1[i], q2[i], q3[i]);
    q0 += 16; q1 += 16; q2 += 16; q3 += 16;
    v128_t aa = a, bb = b, cc = c, dd = d;
    STEP(F,a,b,c,d,w[0],K[0],7); STEP(F,d,a,b,c,w[1],K[1],12); STEP(F,c,d,a,b,w[2],K[2],17); STEP(F,b,c,d,a,w[3],K[3],22);
    STEP(F,a,b,c,d,w[4],K[4],7); STEP(F,d,a,b,c,w[5],K[5],12); STEP(F,c,d,a,b,w[6],K[6],17); STEP(F,b,c,d,a,w[7],K[7],22);
    STEP(F,a,b,c,d,w[8],K[8],7); STEP(F,d,a,b,c,w[9],K[9],12); STEP(F,c,d,a,b,w[10],K[10],17); STEP(F,b,c,d,a,w[11],K[11],22);
    STEP(F,a,b,c,d,w[12],K[12],7); STEP(F,d,a,b,c,w[13],K[13],12); STEP(F,c,d,a,b,w[14],K[14],17); STEP(F,b,c,d,a,w[15],K[15],22);
    STEP(G,a,b,c,d,w[1],K[16],5); STEP(G,d,a,b,c,w[6],K[17],9); STEP(G,c,d,a,b,w[11],K[18],14); STEP(G,b,c,d,a,w[0],K[19],20);
    STEP(G,a,b,c,d,w[5],K[20],5); STEP(G,d,a,b,c,w[10],K[21],9); STEP(G,c,d,a,b,w[15],K[22],14); STEP(G,b,c,d,a,w[4],K[23],20);
    STEP(G,a,b,c,d,w[9],K[24],5); STEP(G,d,a,b,c,w[14],K[25],9); STEP(G,c,d,a,b,w[3],K[26],14); STEP(G,b,c,d,a,w[8],K[27],20);
    STEP(G,a,b,c,d,w[13],K[28],5); STEP(G,d,a,b,c,w[2],K[29],9); STEP(G,c,d,a,b,w[7],K[30],14); STEP(G,b,c,d,a,w[12],K[31],20);
    STEP(H,a,b,c,d,w[5],K[32],4); STEP(H,d,a,b,c,w[8],K[33],11); STEP(H,c,d,a,b,w[11],K[34],16); STEP(H,b,c,d,a,w[14],K[35],23);
    STEP(H,a,b,c,d,w[1],K[36],4); STEP(H,d,a,b,c,w[4],K[37],11); STEP(H,c,d,a,b,w[7],K[38],16); STEP(H,b,c,d,a,w[10],K[39],23);
    STEP(H,a,b,c,d,w[13],K[40],4); STEP(H,d,a,b,c,w[0],K[41],11); STEP(H,c,d,a,b,w[3],K[42],16); STEP(H,b,c,d,a,w[6],K[43],23);
    STEP(H,a,b,c,d,w[9],K[44],4); STEP(H,d,a,b,c,w[12],K[45],11); STEP(H,c,d,a,b,w[15],K[46],16); STEP(H,b,c,d,a,w[2],K[47],23);
    STEP(I,a,b,c,d,w[0],K[48],6); STEP(I,d,a,b,c,w[7],K[49],10); STEP(I,c,d,a,b,w[14],K[50],15); STEP(I,b,c,d,a,w[5],K[51],21);
    STEP(I,a,b,c,d,w[12],K[52],6); STEP(I,d,a,b,c,w[3],K[53],10); STEP(I,c,d,a,b,w[10],K[54],15); STEP(I,b,c,d,a,w[1],K[55],21);
    STEP(I,a,b,c,d,w[8],K[56],6); STEP(I,d,a,b,c,w[15],K[57],10); STEP(I,c,d,a,b,w[6],K[58],15); STEP(I,b,c,d,a,w[13],K[59],21);
    STEP(I,a,b,c,d,w[4],K[60],6); STEP(I,d,a,b,c,w[11],K[61],10); STEP(I,c,d,a,b,w[2],K[62],15); STEP(I,b,c,d,a,w[9],K[63],21);
    a = wasm_i32x4_add(a, aa); b = wasm_i32x4_add(b, bb); c = wasm_i32x4_add(c, cc); d = wasm_i32x4_add(d, dd);
  }
  state[0] = a; state[1] = b; state[2] = c; state[3] = d;
}
