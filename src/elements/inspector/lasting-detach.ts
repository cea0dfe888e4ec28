// Stops an element's work when it is taken out of the document for good, not when it is moved:
// frameworks move elements (React reorders keyed children, a modal re-parents its content, a
// portal) by removing and inserting them again in the same task, and that must not cancel an
// inspection or a conversion. The stop runs only if the element is still disconnected when the
// task that removed it has ended.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class LastingDetach implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly stop: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.stop();
    }, 0);
  }
}
