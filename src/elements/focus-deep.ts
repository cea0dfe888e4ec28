// Moves the focus to what just appeared, inside nested shadow roots: each element on the path is
// awaited until it has rendered, so the target exists when it is focused.
interface MaybeReactive {
  updateComplete?: Promise<unknown>;
  shadowRoot?: ShadowRoot | null;
  querySelector?: (selector: string) => Element | null;
}

/** Focuses the element reached from `start` through `selectors` (one per shadow root). */
export async function focusDeep(start: EventTarget, selectors: readonly string[]): Promise<boolean> {
  let el = start as MaybeReactive | null;
  for (const selector of selectors) {
    if (!el) return false;
    await el.updateComplete;
    const root: MaybeReactive = el.shadowRoot ?? el;
    el = (root.querySelector?.(selector) as MaybeReactive | null) ?? null;
  }
  if (!el) return false;
  await el.updateComplete;
  (el as unknown as HTMLElement).focus();
  return true;
}
