// Sizes are shown in binary units (KiB, MiB…, as qemu-img does). Each view words them its own way
// (locale, decimals, "B" or "bytes"); the scaling itself is this one function.
export const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** n as value × 1024^exponent with value < 1024, the exponent capped at maxExponent. */
export function scaleBinary(n: number, maxExponent = BINARY_UNITS.length - 1): { value: number; exponent: number } {
  let value = n;
  let exponent = 0;
  while (value >= 1024 && exponent < maxExponent) {
    value /= 1024;
    exponent++;
  }
  return { value, exponent };
}
