// Conversions started from the cards of <image-inspector>: the chosen target per card, the runs
// (measure, storage check, qemu-img convert into OPFS, cancel), and the outputs, which are
// inspected as new cards and deleted from OPFS when the results are cleared.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DEFAULT_TARGET, planConversion } from '../../core/convert/plan.ts';
import type { ConvertState, CardState } from './image-inspector-model.ts';
import { qemuInputs } from './image-inspector-groups.ts';
import type { InspectionController } from './inspection-controller.ts';

/** Detail of `image-converted` (plain JSON). */
export interface ConvertedDetail {
  source: string;
  target: string;
  outputName: string;
  size: number;
  /** Where the output lives in the origin's OPFS (deleted when the results are cleared). */
  opfsPath: string;
}

const loadConvert = () => import('./image-inspector-convert.ts');

export class ConversionController implements ReactiveController {
  /** Running conversions, by source card. */
  #running = new Map<number, AbortController>();
  #targets = new Map<number, string>();
  /** Cards whose "I know the data is incomplete" is ticked. */
  #acknowledged = new Set<number>();
  /** Cards whose file is a conversion output: its OPFS path. */
  #outputs = new Map<number, string>();
  #seq = 1;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly inspection: InspectionController,
  ) {
    host.addController(this);
  }

  /** The worker goes with the element (InspectionController disposes it): stop cleanly first. */
  hostDisconnected(): void {
    for (const ac of this.#running.values()) ac.abort();
  }

  target(id: number): string {
    return this.#targets.get(id) ?? DEFAULT_TARGET;
  }

  setTarget(id: number, target: string): void {
    this.#targets.set(id, target);
  }

  acknowledged(id: number): boolean {
    return this.#acknowledged.has(id);
  }

  acknowledge(id: number, yes: boolean): void {
    if (yes) this.#acknowledged.add(id);
    else this.#acknowledged.delete(id);
    this.host.requestUpdate();
  }

  isOutput(id: number): boolean {
    return this.#outputs.has(id);
  }

  cancel(id: number): void {
    this.#running.get(id)?.abort();
  }

  /** Stops every conversion and deletes every output (the results are being cleared). */
  clear(): void {
    for (const ac of this.#running.values()) ac.abort();
    const outputs = [...this.#outputs.values()];
    this.#outputs.clear();
    this.#targets.clear();
    this.#acknowledged.clear();
    if (outputs.length) void loadConvert().then((m) => Promise.all(outputs.map((p) => m.removeOpfsOutput(p))));
  }

  async save(c: CardState): Promise<void> {
    const file = this.inspection.group(c.id)?.main;
    if (!file) return;
    try {
      await (await loadConvert()).saveFile(file, c.name);
    } catch (e) {
      // The user closing the save dialog is not an error worth showing.
      if ((e as { name?: string }).name === 'AbortError') return;
      this.inspection.patch(c.id, { notes: [...c.notes, e instanceof Error ? e.message : String(e)] });
    }
  }

  async convert(c: CardState): Promise<void> {
    const group = this.inspection.group(c.id);
    const result = c.result;
    if (this.#running.has(c.id) || !result || !group) return;
    const target = this.target(c.id);
    const inputs = qemuInputs(group, c.ovaDisks?.[0]);
    const planned = planConversion(result, target, inputs[0]!.name, { acceptIncomplete: this.#acknowledged.has(c.id) });
    if (!planned.ok) {
      this.inspection.patch(c.id, { convert: { target, status: 'failed', refusal: planned.code } });
      return;
    }
    const { plan } = planned;
    const ac = new AbortController();
    this.#running.set(c.id, ac);
    this.inspection.patch(c.id, { convert: { target, status: 'measuring', outputName: plan.outputName } });
    // the Convert button is gone now: Cancel takes the focus (it must not drop to the page)
    void this.#focus(`li.card[data-id="${c.id}"] .convert-cancel`);
    const conv = await loadConvert();
    let opfsPath = '';
    try {
      opfsPath = await conv.opfsPathFor(this.#seq++, plan.outputName);
      const file = await conv.runConversion({
        client: await this.inspection.qemu(),
        plan,
        inputs,
        virtualSize: result.virtualSize ?? 0,
        opfsPath,
        signal: ac.signal,
        onStatus: (p) => this.#patch(c.id, p),
      });
      this.#patch(c.id, { status: 'done', percent: 100 });
      this.host.dispatchEvent(
        new CustomEvent<ConvertedDetail>('image-converted', {
          detail: { source: c.name, target: plan.target, outputName: plan.outputName, size: file.size, opfsPath },
          bubbles: true,
          composed: true,
        }),
      );
      if (ac.signal.aborted) {
        // Cleared while finishing: nothing shows the output any more.
        await conv.removeOpfsOutput(opfsPath);
        return;
      }
      await this.inspection.inspectGroups(
        [{ name: file.name, main: file, extents: new Map(), missing: [] }],
        { convertedFrom: c.name },
        (id) => {
          this.#outputs.set(id, opfsPath);
          // the result card may be below the fold: focus (and so scroll to) it as it appears
          void this.#focus(`li.card[data-id="${id}"]`);
        },
      );
    } catch (e) {
      const kind = e instanceof conv.ConversionError ? e.kind : 'failed';
      const message = e instanceof Error ? e.message : String(e);
      this.#patch(c.id, { status: kind === 'cancelled' ? 'cancelled' : 'failed', noRoom: kind === 'no-room', message });
      void this.#focus(`li.card[data-id="${c.id}"] .convert-status`);
    } finally {
      this.#running.delete(c.id);
    }
  }

  /** Focuses an element of the host's shadow root once it has rendered, if the focus is not
   *  somewhere else by then (the user moved on). */
  async #focus(selector: string): Promise<void> {
    const before = document.activeElement;
    await this.host.updateComplete;
    const el = this.host.shadowRoot?.querySelector<HTMLElement>(selector);
    const moved = document.activeElement !== before && document.activeElement !== document.body;
    if (el && !moved) el.focus();
  }

  #patch(id: number, patch: Partial<ConvertState>): void {
    const c = this.inspection.card(id);
    if (c?.convert) this.inspection.patch(id, { convert: { ...c.convert, ...patch } });
  }
}
