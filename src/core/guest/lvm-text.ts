// LVM2's metadata text format ("vg { key = value  section { … } }"), parsed strictly into plain
// objects: a syntax error, too much nesting or too many items is a CorruptStructure.
import { corrupt } from './device.ts';

export type LvmValue = string | number | LvmValue[] | LvmSection;
export interface LvmSection {
  [key: string]: LvmValue;
}

const MAX_DEPTH = 16;
const MAX_ITEMS = 100_000;

type Tok = { t: 'id' | 'str' | 'num' | 'sym'; v: string };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ('{}[]=,'.includes(c)) {
      out.push({ t: 'sym', v: c });
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) corrupt('LVM metadata: unterminated string');
        const d = text[i++]!;
        if (d === '"') break;
        s += d === '\\' && i < text.length ? text[i++]! : d;
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    const m = /^[A-Za-z0-9_.+-]+/.exec(text.slice(i, i + 256));
    if (!m) corrupt(`LVM metadata: unexpected character ${JSON.stringify(c)}`);
    out.push({ t: /^-?\d+$/.test(m[0]) ? 'num' : 'id', v: m[0] });
    i += m[0].length;
    if (out.length > MAX_ITEMS * 4) corrupt('LVM metadata: too many tokens');
  }
  return out;
}

export function parseLvmText(text: string): LvmSection {
  const toks = tokenize(text);
  let p = 0;
  let items = 0;
  const peek = () => toks[p];
  const expect = (v: string) => {
    const t = toks[p++];
    if (!t || t.t !== 'sym' || t.v !== v) corrupt(`LVM metadata: expected "${v}"`);
  };
  const value = (depth: number): LvmValue => {
    const t = toks[p++];
    if (!t) corrupt('LVM metadata: value missing');
    if (t.t === 'str') return t.v;
    if (t.t === 'num') {
      const n = Number(t.v);
      if (!Number.isSafeInteger(n)) corrupt(`LVM metadata: number ${t.v} out of range`);
      return n;
    }
    if (t.t === 'sym' && t.v === '[') {
      if (depth > MAX_DEPTH) corrupt('LVM metadata: nested too deeply');
      const arr: LvmValue[] = [];
      if (peek()?.v === ']' && peek()?.t === 'sym') {
        p++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        const s = toks[p++];
        if (s?.t === 'sym' && s.v === ']') return arr;
        if (!(s?.t === 'sym' && s.v === ',')) corrupt('LVM metadata: expected "," or "]"');
      }
    }
    return corrupt(`LVM metadata: unexpected ${JSON.stringify(t.v)}`);
  };
  const section = (depth: number, top: boolean): LvmSection => {
    if (depth > MAX_DEPTH) corrupt('LVM metadata: nested too deeply');
    const out: LvmSection = Object.create(null) as LvmSection;
    for (;;) {
      const t = peek();
      if (!t) {
        if (top) return out;
        corrupt('LVM metadata: missing "}"');
      }
      if (t.t === 'sym' && t.v === '}') {
        if (top) corrupt('LVM metadata: stray "}"');
        p++;
        return out;
      }
      if (t.t !== 'id') corrupt(`LVM metadata: expected a name, got ${JSON.stringify(t.v)}`);
      p++;
      if (++items > MAX_ITEMS) corrupt('LVM metadata: too many items');
      const n = peek();
      if (n?.t === 'sym' && n.v === '{') {
        p++;
        out[t.v] = section(depth + 1, false);
      } else {
        expect('=');
        out[t.v] = value(depth);
      }
    }
  };
  return section(0, true);
}

export function sec(v: LvmValue | undefined, what: string): LvmSection {
  if (v === undefined || typeof v !== 'object' || Array.isArray(v)) corrupt(`LVM metadata: ${what} is not a section`);
  return v;
}

export function num(v: LvmValue | undefined, what: string): number {
  if (typeof v !== 'number' || v < 0) corrupt(`LVM metadata: ${what} is not a non-negative number`);
  return v;
}

export function str(v: LvmValue | undefined, what: string): string {
  if (typeof v !== 'string') corrupt(`LVM metadata: ${what} is not a string`);
  return v;
}
