// Any failure as the one sentence the cloud panel shows: OpenStackError messages are written for
// the user already; anything else gets a generic frame around its message.
import { msg, str } from '@lit/localize';
import { OpenStackError } from '../../core/openstack/errors.ts';

export function sentence(e: unknown): string {
  if (e instanceof OpenStackError) return e.message;
  if (e instanceof Error) return msg(str`Something went wrong: ${e.message}. Try again, or reload the page.`);
  return msg('Something went wrong. Try again, or reload the page.');
}
