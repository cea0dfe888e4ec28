// `npm run l10n:build`: lit-localize's build, then one repair of what it generates. In runtime
// mode lit-localize writes every target as it would for an html`` template, with &, < and >
// turned into entities (localize-tools escapeTextContentToEmbedInTemplateLiteral); a msg('…') or
// str`…` string is shown as text, so the page said "&lt;container&gt;_segments" and told users to
// run "passwd -d root &amp;&amp; passwd -l root". Plain and str`` templates get the characters
// back; an html`` template (none today) keeps its entities.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const OUT = new URL('../src/locales/generated/ja.ts', import.meta.url);
execFileSync('npx', ['lit-localize', 'build'], { stdio: 'inherit' });
const src = readFileSync(OUT, 'utf8');
const fixed = src
  .split('\n')
  .map((line) => (/^\s*'[^']+': (str)?`/.test(line) ? line.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : line))
  .join('\n');
writeFileSync(OUT, fixed);
