// Conversions started from the cards of <image-inspector>: the chosen target per card, the runs
// (measure, storage check, qemu-img convert into OPFS, cancel), and the outputs, which are
// inspected as new cards and deleted from OPFS when the results are cleared.
//
// Each conversion runs in a qemu-img worker of its own, created for it and terminated after it:
// the inspection worker stays free (files added meanwhile are inspected at once) and two
// conversions run side by side on two cores.
import type { ReactiveControllerHost } from 'lit';
import { LastingDetach } from './lasting-detach.ts';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import { defaultConvertOptions, type ConvertOptions } from '../../core/convert/options.ts';
import { pageConversion, type PageConversion, type PageConversionOutcome } from './conversion-request.ts';
import { cardSuggestions, type ConvertState, type CardState } from './image-inspector-model.ts';
import type { PlanOptions } from '../../core/convert/plan.ts';
import { qemuInputs } from './image-inspector-groups.ts';
import type { InspectionController } from './inspection-controller.ts';
import { formatBytes } from './format-bytes.ts';
import { carryGuestHints, cloudPreference, defaultTarget, type CloudFormats, type CloudPreference } from './conversion-defaults.ts';
import { EngineFeaturesProbe } from './engine-features-probe.ts';
import { canConvertToFile, chooseOutputFile } from './convert-to-file-dialog.ts';
import { focusWhenRendered, revealCard } from './card-focus.ts';
import { removeOutputs, runCardConversion, saveOutput } from './card-conversion-run.ts';

/** Detail of `image-converted` (plain JSON). */
export interface ConvertedDetail {
  source: string;
  target: string;
  outputName: string;
  size: number;
  /** Where the output lives in the origin's OPFS (deleted when the results are cleared); empty
   *  when it went into a file the user chose (`inFile`). */
  opfsPath: string;
  inFile?: boolean;
}

/** The number of the next conversion's OPFS folder (`<page>/<n>/`). One count for the whole page,
 *  not one per element: the page's folder is shared by every <image-inspector> on it, so two
 *  elements converting files of the same name must not write (and clear) the same path. */
let nextOutputFolder = 1;

export class ConversionController {
  /** Running conversions, by source card. */
  #running = new Map<number, AbortController>();
  #targets = new Map<number, string>();
  /** The boxes that lift a refusal for a card's conversion: "I know the data is incomplete", and
   *  the override of the safety checks for a local conversion. */
  #lifted = { incomplete: new Set<number>(), safety: new Set<number>() };
  /** Options per card, kept across target switches (each target reads its own block). */
  #options = new Map<number, ConvertOptions>();
  /** Cards whose file is a conversion output: its OPFS path. */
  #outputs = new Map<number, string>();
  #engine = new EngineFeaturesProbe(
    () => this.inspection.qemu(),
    () => this.host.requestUpdate(),
  );

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly inspection: InspectionController,
    /** The signed-in cloud's Glance facts, when the app hands them over. */
    private readonly cloud: () => CloudFormats | null = () => null,
  ) {
    // removed for good, not moved: stop (a moved element goes on converting)
    new LastingDetach(host, () => this.stop());
  }

  /** Whether a conversion is running (part of the element's `busy`). */
  get running(): boolean {
    return this.#running.size > 0;
  }

  /** The element left the document for good. Each conversion's worker is terminated when its run
   *  ends: stopping the runs is enough. */
  stop(): void {
    for (const ac of this.#running.values()) ac.abort();
  }

  target(id: number): string {
    return this.#targets.get(id) ?? defaultTarget(this.inspection.card(id)?.result, cloudPreference(this.cloud()));
  }

  /** Why the offered target is the cloud's choice; undefined once the user picked one, or when no
   *  cloud decided it. */
  targetReason(id: number): CloudPreference | undefined {
    if (this.#targets.has(id)) return undefined;
    const pref = cloudPreference(this.cloud());
    return pref && pref.target === this.target(id) ? pref : undefined;
  }

  setTarget(id: number, target: string): void {
    this.#targets.set(id, target);
    this.host.requestUpdate();
  }

  options(id: number): ConvertOptions {
    return this.#options.get(id) ?? defaultConvertOptions();
  }

  setOption(id: number, change: (o: ConvertOptions) => void): void {
    const o = structuredClone(this.options(id));
    change(o);
    this.#options.set(id, o);
    this.host.requestUpdate();
  }

  request(c: CardState): PageConversionOutcome | undefined {
    if (!c.result || !this.inspection.group(c.id)) return undefined;
    // Rendering goes on in a detached element: only a connected one starts the probe's worker.
    if (this.host.isConnected) void this.#engine.probe();
    return pageConversion(
      c.result,
      this.target(c.id),
      this.options(c.id),
      this.#inputs(c)[0]!.name,
      this.#planOptions(c.id),
      this.#engine.features,
      c.ovaDisks?.[0],
    );
  }

  /** What qemu-img opens for the card: its files, or the OVA member it converts. */
  #inputs(c: CardState) {
    return qemuInputs(this.inspection.group(c.id)!, c.ovaDisks?.[0]);
  }

  #planOptions(id: number): PlanOptions {
    return { acceptIncomplete: this.#lifted.incomplete.has(id), overrideSafety: this.#lifted.safety.has(id) };
  }

  #lift(which: 'incomplete' | 'safety', id: number, yes: boolean): void {
    if (yes) this.#lifted[which].add(id);
    else this.#lifted[which].delete(id);
    this.host.requestUpdate();
  }

  overridden(id: number): boolean {
    return this.#lifted.safety.has(id);
  }

  override(id: number, yes: boolean): void {
    this.#lift('safety', id, yes);
  }

  acknowledged(id: number): boolean {
    return this.#lifted.incomplete.has(id);
  }

  acknowledge(id: number, yes: boolean): void {
    this.#lift('incomplete', id, yes);
  }

  isOutput(id: number): boolean {
    return this.#outputs.has(id);
  }

  cancel(id: number): void {
    const ac = this.#running.get(id);
    if (!ac || ac.signal.aborted) return;
    ac.abort();
    // Said at once: the figures stop here (the stopped worker may still report for a moment).
    this.#patch(id, { cancelling: true });
  }

  /** Stops every conversion and deletes every output (the results are being cleared). */
  clear(): void {
    for (const ac of this.#running.values()) ac.abort();
    // Outputs in files the user chose are theirs: only OPFS outputs are deleted.
    const outputs = [...this.#outputs.values()].filter(Boolean);
    this.#outputs.clear();
    this.#targets.clear();
    this.#lifted.incomplete.clear();
    this.#lifted.safety.clear();
    this.#options.clear();
    void removeOutputs(outputs);
  }

  async save(c: CardState): Promise<void> {
    const file = this.inspection.group(c.id)?.main;
    if (!file) return;
    const note = (text: () => string) => this.inspection.patch(c.id, { notes: [...(this.inspection.card(c.id)?.notes ?? []), text] });
    try {
      const saved = await saveOutput(file, c.name);
      // a big file takes a while to write: the card says when it is all there
      if (saved.how === 'picker') note(() => msg(str`Saved as ${saved.name} (${formatBytes(file.size)}).`));
      if (saved.how === 'download' && saved.refused) {
        note(() => msg(str`The browser refused the save dialog (${saved.refused}); the file was downloaded instead.`));
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      note(() => msg(str`Saving failed: ${why}`));
    }
  }

  canConvertToFile(): boolean {
    return canConvertToFile();
  }

  /** "Convert to a file…": the save dialog first (it needs the click's user activation), then the
   *  conversion straight into the chosen file. Closing the dialog does nothing. */
  async convertToFile(c: CardState): Promise<void> {
    const planned = this.#running.has(c.id) ? undefined : this.request(c);
    if (!planned?.ok) return;
    let handle: FileSystemFileHandle | undefined;
    try {
      handle = await chooseOutputFile(planned.conversion.outputName);
    } catch (e) {
      this.inspection.patch(c.id, {
        convert: { target: planned.conversion.target, status: 'failed', toFile: true, message: e instanceof Error ? e.message : String(e) },
      });
      return;
    }
    if (handle) await this.convert(c, handle);
  }

  async convert(c: CardState, handle?: FileSystemFileHandle): Promise<void> {
    if (this.#running.has(c.id) || !c.result) return;
    await this.#engine.probe();
    if (this.#running.has(c.id)) return; // a second click while the probe answered
    const planned = this.request(c);
    if (!planned) return;
    if (!planned.ok) {
      // The view disables Convert while options are refused; a refusal of the image itself shows.
      if (planned.refusal)
        this.inspection.patch(c.id, { convert: { target: this.target(c.id), status: 'failed', refusal: planned.refusal } });
      return;
    }
    const plan = planned.conversion;
    const ac = new AbortController();
    this.#running.set(c.id, ac);
    this.inspection.patch(c.id, {
      convert: {
        target: this.target(c.id),
        status: 'measuring',
        outputName: plan.outputName,
        commandLine: plan.commandLine,
        ...(handle ? { toFile: true } : {}),
      },
    });
    // the Convert button is gone now: Cancel takes the focus (it must not drop to the page)
    void focusWhenRendered(this.host, `li.card[data-card-id="${c.id}"] .convert-cancel`);
    try {
      await this.#run(c, plan, ac, handle);
    } finally {
      this.#running.delete(c.id);
    }
  }

  /** The run, then its output as a new card (the card is `running` until it is inspected). */
  async #run(c: CardState, plan: PageConversion, ac: AbortController, handle?: FileSystemFileHandle): Promise<void> {
    const out = await runCardConversion({
      plan,
      inputs: this.#inputs(c),
      virtualSize: c.result?.virtualSize ?? 0,
      ...(c.allocation ? { dataBytes: c.allocation.data } : {}),
      ...(handle ? { handle } : {}),
      signal: ac.signal,
      opfsSeq: () => nextOutputFolder++,
      patch: (p) => this.#patch(c.id, p),
    });
    if (!out) return void focusWhenRendered(this.host, `li.card[data-card-id="${c.id}"] .convert-status`);
    const { file, opfsPath } = out;
    const detail: ConvertedDetail = { source: c.name, target: plan.target, outputName: plan.outputName, size: file.size, opfsPath };
    if (handle) detail.inFile = true;
    this.host.dispatchEvent(new CustomEvent<ConvertedDetail>('image-converted', { detail, bubbles: true, composed: true }));
    // Cleared while finishing: nothing shows the output any more.
    if (ac.signal.aborted) return void removeOutputs(opfsPath ? [opfsPath] : []);
    let outputId = 0;
    await this.inspection.inspectGroups(
      [{ name: file.name, main: file, extents: new Map(), missing: [] }],
      { convertedFrom: c.name },
      (id) => {
        outputId = id;
        this.#outputs.set(id, opfsPath);
        void revealCard(this.host, id);
      },
    );
    this.#carryHints(c.id, outputId);
  }

  /** Guest facts only the source could tell (the VMDK's disk bus, an OVF's OS) still hold for the
   *  converted disk: the output's inspection cannot see them, so they come from the source. */
  #carryHints(sourceId: number, outputId: number): void {
    const source = this.inspection.card(sourceId)?.result;
    const out = this.inspection.card(outputId);
    if (!source || !out?.result) return;
    const carried = carryGuestHints(source, out.result);
    if (!carried) return;
    this.inspection.patch(outputId, {
      result: carried,
      suggestions: cardSuggestions(carried),
    });
  }

  #patch(id: number, patch: Partial<ConvertState>): void {
    const c = this.inspection.card(id);
    if (c?.convert) this.inspection.patch(id, { convert: { ...c.convert, ...patch } });
  }
}
