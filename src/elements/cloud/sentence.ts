// Any failure as the one sentence the cloud panel shows: OpenStackError sentences are written for
// the user already (and said in the page's language by their code); anything else gets a generic
// frame around its message.
import { msg, str } from '@lit/localize';
import { OpenStackError } from '../../core/openstack/errors.ts';
import { errorText } from './error-text.ts';

export function sentence(e: unknown): string {
  if (e instanceof OpenStackError) return errorText(e);
  if (e instanceof Error) return msg(str`Something went wrong: ${e.message}. Try again, or reload the page.`);
  return msg('Something went wrong. Try again, or reload the page.');
}

/** An error's own message, in the page's language when it is an OpenStackError with a code. */
export function errorMessage(e: unknown): string {
  if (e instanceof OpenStackError) return errorText(e);
  return e instanceof Error ? e.message : String(e);
}
