// Benchmarks report the best of n runs: on a shared machine the minimum is the figure least
// disturbed by other load. A NaN (a failed run, already reported by the caller) ends the series.
export async function bestOf(n: number, run: () => Promise<number> | number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const v = await run();
    if (Number.isNaN(v)) return NaN;
    best = Math.min(best, v);
  }
  return best;
}
