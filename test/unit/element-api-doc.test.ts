// custom-elements.json (generated from the element's JSDoc) is the one list of what <image-inspector>
// offers: docs/element.md's reference section is generated from it, and everything the README's
// "Embedding" section names must be in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
// @ts-expect-error -- a plain .mjs script without types
import { analyze, renderApi, withSection, DOC } from '../../scripts/element-api-doc.mjs';

interface Named {
  name: string;
  kind?: string;
  privacy?: string;
}
interface Element {
  tagName?: string;
  attributes?: Named[];
  members?: Named[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
interface Manifest {
  modules: Array<{ declarations?: Element[] }>;
}

const manifest = analyze() as Manifest;
const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'image-inspector')!;
const names = (list: Named[] | undefined) => new Set((list ?? []).map((x) => x.name));

test('docs/element.md reference section is what custom-elements.json says', { timeout: 60_000 }, async () => {
  const doc = readFileSync(DOC as string, 'utf8');
  assert.equal(await withSection(doc, renderApi(manifest)), doc, 'stale: run `node scripts/element-api-doc.mjs`');
});

test('everything the README documents for <image-inspector> is in custom-elements.json', { timeout: 60_000 }, () => {
  assert.ok(element, 'the manifest has <image-inspector>');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## Embedding/m)[1]?.split(/^## /m)[0] ?? '';
  assert.ok(section, 'the README has an "Embedding" section');
  // A bullet's names are its top-level backticked words: parenthesised asides are explanations.
  const bullet = (label: string) => {
    let text = section.split(`**${label}**`)[1]?.split(/\n- /)[0] ?? '';
    for (let before = ''; before !== text;) [before, text] = [text, text.replace(/\([^()]*\)/g, '')];
    return text;
  };
  const ticks = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

  const attributes = ticks(bullet('Attributes')).filter((t) => /^[a-z][a-z-]*$/.test(t));
  const methods = ticks(bullet('Methods')).map((t) => t.replace(/\(.*$/, ''));
  const events = ticks(bullet('Events')).filter((t) => t.startsWith('image-'));
  const parts = [...section.matchAll(/::part\(([a-z-]+)\)/g)].map((m) => m[1]!);
  const cssProps = [...section.matchAll(/--image-inspector-[a-z-]+/g)].map((m) => m[0]);
  assert.ok(attributes.length && methods.length && events.length && parts.length, 'the README lists attributes, methods, events and parts');

  const has = { attributes: names(element.attributes), members: names(element.members), events: names(element.events) };
  for (const a of attributes) assert.ok(has.attributes.has(a), `attribute ${a}`);
  for (const m of methods) assert.ok(has.members.has(m), `method ${m}()`);
  for (const e of events) assert.ok(has.events.has(e), `event ${e}`);
  for (const p of parts) assert.ok(names(element.cssParts).has(p), `part ${p}`);
  for (const c of cssProps) assert.ok(names(element.cssProperties).has(c), `custom property ${c}`);
});

test('every ::part and --image-inspector-* property the templates and styles use is in custom-elements.json', () => {
  const dir = new URL('../../src/elements/', import.meta.url);
  const sources = [
    readFileSync(new URL('image-inspector.ts', dir), 'utf8'),
    ...readdirSync(new URL('inspector/', dir))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(new URL(`inspector/${f}`, dir), 'utf8')),
  ].join('\n');
  const used = new Set<string>();
  for (const [, value] of sources.matchAll(/\bpart="([^"]+)"/g)) {
    // static names, and the names a binding picks from (`${c.safe ? 'verdict-safe' : 'verdict-unsafe'}`)
    for (const [, q] of value!.matchAll(/'([a-z-]+)'/g)) used.add(q!);
    for (const word of value!.replace(/\$\{[^}]*\}/g, ' ').split(/\s+/)) if (word) used.add(word);
  }
  assert.ok(used.size > 20, `the templates' parts were found (${[...used].join(', ')})`);
  const parts = names(element.cssParts);
  for (const p of used) assert.ok(parts.has(p), `part ${p} is set in a template: document it (@csspart)`);
  const props = names(element.cssProperties);
  for (const [p] of sources.matchAll(/--image-inspector-[a-z-]+/g))
    assert.ok(props.has(p), `${p} is read by the styles: document it (@cssprop)`);
});
