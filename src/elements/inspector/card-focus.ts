// Focus among the cards of <image-inspector> once the host has rendered them: what a conversion
// adds or removes (its Cancel button, its status, the output's card) must not leave keyboard and
// screen-reader users on nothing, nor take the focus from where they moved meanwhile.
import type { ReactiveControllerHost } from 'lit';

type Host = ReactiveControllerHost & HTMLElement;

/** Focuses an element of the host's shadow root once it has rendered, if the focus is not
 *  somewhere else by then (the user moved on). */
export async function focusWhenRendered(host: Host, selector: string): Promise<void> {
  const before = document.activeElement;
  await host.updateComplete;
  const el = host.shadowRoot?.querySelector<HTMLElement>(selector);
  const moved = document.activeElement !== before && document.activeElement !== document.body;
  if (el && !moved) el.focus();
}

/** A new card is added at the end of the list, often below the fold: bring it into view and give
 *  it focus, so keyboard and screen-reader users land on what just appeared. */
export async function revealCard(host: Host, id: number): Promise<void> {
  await host.updateComplete;
  const li = host.shadowRoot?.querySelector<HTMLElement>(`li.card[data-card-id="${id}"]`);
  if (!li) return;
  li.scrollIntoView({ block: 'nearest' });
  li.focus({ preventScroll: true });
}
