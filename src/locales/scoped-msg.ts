// msg() for elements whose own `lang` attribute picks their language, whatever the document's is
// (lit-localize's runtime mode has one locale per document). While such an element renders, msg()
// reads that locale's templates; otherwise it is lit-localize's msg() and follows the document.
// Its type is lit-localize's own, so `lit-localize extract` still finds every call.
import { msg as documentMsg } from '@lit/localize';
import { runtimeMsg } from '@lit/localize/internal/runtime-msg.js';
import type { TemplateMap } from '@lit/localize/internal/types.js';
import { getLocale, localeLoaders, matchLocale, sourceLocale, type Locale } from './localization.ts';

interface Scope {
  locale: Locale;
  templates: TemplateMap | undefined;
}

let active: Scope | undefined;

type Template = Parameters<typeof runtimeMsg>[1];
type Options = Parameters<typeof runtimeMsg>[2];
// A plain function type: `lit-localize extract` treats calls through msg's own (branded) type as
// messages, and this pass-through has no literal to extract.
const followDocument = documentMsg as unknown as (template: Template, options: Options) => ReturnType<typeof runtimeMsg>;

export const msg: typeof documentMsg = ((template: Template, options?: Options) =>
  active ? runtimeMsg(active.templates, template, options) : followDocument(template, options)) as typeof documentMsg;

/** The locale msg() answers in right now. */
export function currentLocale(): Locale {
  return active?.locale ?? (getLocale() as Locale);
}

const cache = new Map<Locale, Promise<Scope>>();

/** Loads a locale's templates for renderIn() (the source locale needs none). */
export function loadScope(tag: string): Promise<Scope> {
  const locale = matchLocale(tag);
  let scope = cache.get(locale);
  if (!scope) {
    scope =
      locale === sourceLocale
        ? Promise.resolve({ locale, templates: undefined })
        : localeLoaders[locale]().then((m) => ({ locale, templates: m.templates as TemplateMap }));
    cache.set(locale, scope);
  }
  return scope;
}

/** Runs a (synchronous) render with msg() answering in `scope`'s locale. */
export function renderIn<T>(scope: Scope | undefined, render: () => T): T {
  if (!scope) return render();
  const outer = active;
  active = scope;
  try {
    return render();
  } finally {
    active = outer;
  }
}

export type { Scope as LocaleScope };
