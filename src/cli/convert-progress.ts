// Progress of `convert` on stderr: one line rewritten in place on a terminal, otherwise a line per
// 10 % step (a log or CI output stays short).
export class ConvertProgress {
  private phase = '';
  private lastStep = -1;
  private open = false;
  private readonly tty: boolean;

  constructor(
    private readonly write: (s: string) => void,
    tty: boolean = process.stderr.isTTY === true,
  ) {
    this.tty = tty;
  }

  update(phase: string, percent: number): void {
    const pct = Math.max(0, Math.min(100, percent));
    if (phase !== this.phase) {
      this.end();
      this.phase = phase;
      this.lastStep = -1;
    }
    if (this.tty) {
      this.write(`\r${phase}: ${pct.toFixed(1).padStart(5)} %`);
      this.open = true;
      return;
    }
    const step = Math.floor(pct / 10);
    if (step <= this.lastStep) return;
    this.lastStep = step;
    this.write(`${phase}: ${step * 10} %\n`);
  }

  end(): void {
    if (this.open) this.write('\n');
    this.open = false;
  }
}
