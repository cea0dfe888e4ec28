// What the safety verdict says about a file. `code` is stable (the UI localises by it and tests
// assert on it); `message` and `fix` are the English text; `params` carries the values the
// message names so a translation can say the same thing.

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable identifier, `<area>.<what>`, e.g. "qcow2.backing-file". */
  code: string;
  /** error: upstream Glance/oslo.utils would reject the file as-is (verdict unsafe);
   *  warning: accepted but worth acting on; info: explanation only. */
  severity: Severity;
  message: string;
  /** What we offer to do about it (convert, flatten, add the missing files, upload as iso…). */
  fix: string;
  params?: Record<string, string | number>;
}

/** Control characters from a hostile file (terminal escapes, NULs) shown as visible escapes:
 *  messages quote names and lines read from the image and end up in terminals and logs. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function finding(
  code: string,
  severity: Severity,
  message: string,
  fix: string,
  params?: Record<string, string | number>,
): Finding {
  const f: Finding = { code, severity, message: printable(message), fix: printable(fix) };
  if (params) {
    f.params = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? printable(v) : v]));
  }
  return f;
}

/** The fix offered for every format Glance does not take as it is. */
export const FIX_CONVERT = 'Convert it to qcow2 (or raw) before uploading; image-inspector can do the conversion here.';

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
