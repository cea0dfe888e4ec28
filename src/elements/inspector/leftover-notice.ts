// At the element's first connection, what closed tabs left of their conversions in the browser's
// storage is deleted (opfs-leftovers.ts), and the element says so in a notice the user dismisses:
// a tab closed mid-run must cost neither storage nor silence until the next conversion.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { html, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import { formatBytes } from './format-bytes.ts';
import { joinSentences } from '../join-sentences.ts';
import type { FileLeftover, Leftover, Leftovers } from './opfs-leftovers.ts';

/** How long a tab that is just closing (a reload) may keep its lock, and a dead worker its file. */
const SWEEP = { waitMs: 3000, retryMs: 15_000 };

const listed = (files: Leftover[]) => files.map((f) => f.name).join(', ');
const filesAt = (l: Leftovers, stage: FileLeftover['stage']) =>
  (l.files ?? [])
    .filter((f) => f.stage === stage)
    .map((f) => f.name)
    .join(', ');
const total = (files: Leftover[]) => formatBytes(files.reduce((n, f) => n + f.size, 0));

export function leftoverText(l: Leftovers): string {
  return joinSentences(
    l.unfinished.length > 0 &&
      msg(
        str`A conversion was still running when its tab was closed: its partial output (${listed(l.unfinished)}, ${total(l.unfinished)}) was deleted from the browser’s storage.`,
      ),
    l.finished.length > 0 &&
      msg(
        str`Conversion outputs a closed tab had left in the browser’s storage (${listed(l.finished)}, ${total(l.finished)}) were deleted; convert again to get them back.`,
      ),
    filesAt(l, 'writing') &&
      msg(
        str`A conversion into the file you chose (${filesAt(l, 'writing')}) was still running when its tab was closed: nothing was written into it, so a file the save dialog created is empty. Delete it, or convert again.`,
      ),
    filesAt(l, 'verifying') &&
      msg(
        str`The file you chose (${filesAt(l, 'verifying')}) was written, but its tab was closed before the verification ended: convert again, or inspect it here before you use it.`,
      ),
    l.kept !== undefined &&
      msg(str`What a closed tab left in the browser’s storage could not all be deleted (${l.kept}); the next conversion tries again.`),
  );
}

export class LeftoverNotice implements ReactiveController {
  /** Kept as found, worded at each render: the language may change meanwhile. */
  #left: Leftovers | undefined;
  #swept = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.#swept) return;
    this.#swept = true;
    void import('./opfs-leftovers.ts')
      .then((m) => m.sweepClosedTabs(undefined, SWEEP))
      .then(
        (left) => {
          if (!leftoverText(left)) return;
          this.#left = left;
          this.host.requestUpdate();
        },
        (e: unknown) => console.warn('image-inspector: could not look for what closed tabs left in the browser’s storage:', e),
      );
  }

  render(): TemplateResult | typeof nothing {
    if (!this.#left) return nothing;
    return html`<p class="note leftover-notice" part="leftover-notice" role="status">
      ${leftoverText(this.#left)}
      <button
        type="button"
        class="secondary leftover-dismiss"
        @click=${() => {
          this.#left = undefined;
          this.host.requestUpdate();
        }}
      >
        ${msg('Dismiss')}
      </button>
    </p>`;
  }
}
