// Run-time language switching (@lit/localize runtime mode). One configuration per document,
// shared by the app and every element on the page; Japanese templates load on first use.
import { configureLocalization } from '@lit/localize';
import { sourceLocale, targetLocales, allLocales } from './locale-codes.ts';

export type Locale = (typeof allLocales)[number];

/** Each target locale's generated templates, loaded on first use (document-wide and scoped alike). */
export const localeLoaders: Record<(typeof targetLocales)[number], () => Promise<{ templates: unknown }>> = {
  ja: () => import('./generated/ja.ts'),
};

const { getLocale, setLocale: setLitLocale } = configureLocalization({
  sourceLocale,
  targetLocales,
  loadLocale: (locale) => localeLoaders[locale as (typeof targetLocales)[number]]() as never,
});

export { getLocale, allLocales, sourceLocale };

export function isLocale(value: string | null | undefined): value is Locale {
  return !!value && (allLocales as readonly string[]).includes(value);
}

/** Picks a supported locale for a BCP 47 tag ("ja-JP" → "ja"), or the source locale. */
export function matchLocale(tag: string | null | undefined): Locale {
  const base = (tag ?? '').toLowerCase().split('-')[0];
  return isLocale(base) ? base : sourceLocale;
}

export async function setLocale(locale: string): Promise<void> {
  const l = matchLocale(locale);
  if (l !== getLocale()) await setLitLocale(l);
}
