// Sentences said one after the other. English puts a space between them; Japanese puts none after
// its full stop (「。」 is followed directly by the next sentence), so a translated page does not
// read "…。 次の…".
export function joinSentences(...parts: (string | false | null | undefined)[]): string {
  let out = '';
  for (const p of parts) {
    if (!p) continue;
    out = !out ? p : /[。！？]$/.test(out) ? out + p : `${out} ${p}`;
  }
  return out;
}
