// Glance's enumerated values as the page shows them: the value stays Glance's, the label is in
// the page's language.
import { msg, str } from '@lit/localize';

export const VISIBILITIES = ['private', 'shared', 'community', 'public'] as const;

export function visibilityLabel(v: string | undefined): string {
  switch (v) {
    case 'private':
      return msg('Private');
    case 'shared':
      return msg('Shared');
    case 'community':
      return msg('Community');
    case 'public':
      return msg('Public');
    default:
      return v ?? '';
  }
}

/** A Glance store by its id, marked when it is the default one. */
export function storeLabel(store: { id: string; default?: boolean }): string {
  return store.default ? msg(str`${store.id} (default)`) : store.id;
}
