// The cards of <image-inspector> and the inspections that fill them: groups the chosen files into
// images, inspects a few at a time through the lazily loaded pipeline, and tells the host through
// its events. The host renders `cards`; this owns everything else, and stops when the host is
// removed for good (LastingDetach).
import type { ReactiveControllerHost } from 'lit';
import { LastingDetach } from './lasting-detach.ts';
import type { InspectionResult } from '../../core/inspection.ts';
import type { QemuImgClient } from '../../../workers/qemu-img/types.ts';
import { groupFiles, type ImageGroup } from './image-inspector-groups.ts';
import type { CardState, InspectionPipeline } from './image-inspector-model.ts';

/** Bounded reads per file keep this cheap; the bound keeps a 1000-file folder orderly. */
const MAX_PARALLEL = 4;

export interface InspectErrorDetail {
  file: string;
  message: string;
}

type Host = ReactiveControllerHost & HTMLElement;

export class InspectionController {
  cards: CardState[] = [];
  #nextId = 1;
  /** What each card's image is made of (qemu-img needs the extents too); kept out of the
   *  rendered state: Files are not display data. */
  #groups = new Map<number, ImageGroup>();
  #pipeline?: Promise<InspectionPipeline>;
  /** Images being inspected at once: safety verdicts of several files show without waiting for
   *  each other's qemu-img runs (the worker client runs those one at a time anyway). */
  #active = 0;
  #waiting: Array<() => void> = [];
  /** Aborted by stop(): the inspections running then end, and start nothing more in a worker. */
  #stopping = new AbortController();

  constructor(
    private readonly host: Host,
    private readonly declaredFormat: () => string,
  ) {
    // removed for good, not moved: stop (a moved element goes on inspecting)
    new LastingDetach(host, () => this.stop());
  }

  /** The element left the document for good: stops the inspections and terminates the worker (a
   *  later file, should the element come back, starts a new one). */
  stop(): void {
    this.#abortRunning();
    void this.#pipeline?.then((p) => p.dispose());
    this.#pipeline = undefined;
  }

  /** Stops the inspections running or queued now; later ones get a fresh signal. */
  #abortRunning(): void {
    this.#stopping.abort();
    this.#stopping = new AbortController();
  }

  async inspectFiles(files: readonly File[]): Promise<void> {
    if (files.length) await this.inspectGroups(await groupFiles(files));
  }

  /** Adds a card per group and inspects them; `created` hears each new card's id first. */
  async inspectGroups(groups: ImageGroup[], mark: Partial<CardState> = {}, created?: (id: number) => void): Promise<void> {
    // Files queued behind the limit when the element is removed are stopped too.
    const { signal } = this.#stopping;
    const jobs = groups.map((group) => {
      const card: CardState = {
        id: this.#nextId++,
        name: group.name,
        size: group.main.size + [...group.extents.values()].reduce((n, f) => n + f.size, 0),
        phase: 'queued',
        findings: [],
        suggestions: [],
        extents: [...group.extents.keys()],
        missingExtents: group.missing,
        notes: [],
        ...mark,
      };
      this.#groups.set(card.id, group);
      this.#set([...this.cards, card]);
      created?.(card.id);
      return { id: card.id, group };
    });
    await Promise.all(jobs.map((j) => this.#limited(() => this.#inspectOne(j.id, j.group, signal))));
  }

  group(id: number): ImageGroup | undefined {
    return this.#groups.get(id);
  }

  card(id: number): CardState | undefined {
    return this.cards.find((c) => c.id === id);
  }

  patch(id: number, patch: Partial<CardState>): void {
    this.#set(this.cards.map((c) => (c.id === id ? { ...c, ...patch } : c)));
  }

  /** Removes every card; the inspections still running stop, and say nothing more. */
  clear(): void {
    this.#abortRunning();
    this.#groups.clear();
    this.#set([]);
  }

  /** The qemu-img client of the pipeline (conversions share its worker). */
  async qemu(): Promise<QemuImgClient> {
    return (await this.#getPipeline()).qemu();
  }

  #set(cards: CardState[]): void {
    this.cards = cards;
    this.host.requestUpdate();
  }

  #getPipeline(): Promise<InspectionPipeline> {
    // Lazy: the pipeline module pulls in the safety core and the qemu-img worker client; nothing
    // loads before a file is chosen.
    this.#pipeline ??= import('./image-inspector-pipeline.ts').then((m) => m.createPipeline());
    return this.#pipeline;
  }

  async #limited(task: () => Promise<void>): Promise<void> {
    if (this.#active >= MAX_PARALLEL) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  async #inspectOne(id: number, group: ImageGroup, signal: AbortSignal): Promise<void> {
    this.patch(id, { phase: 'safety' });
    const emit = <T>(type: string, detail: T) =>
      this.host.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
    try {
      if (signal.aborted) throw new Error('the inspection was stopped');
      const pipeline = await this.#getPipeline();
      const declaredFormat = this.declaredFormat();
      const result = await pipeline.inspect(group, { signal, ...(declaredFormat ? { declaredFormat } : {}) }, (patch) =>
        this.patch(id, patch),
      );
      if (!this.card(id)) return; // cleared meanwhile: the host hears nothing of a card that is gone
      this.patch(id, { phase: 'done', result });
      emit<InspectionResult>('image-inspected', result);
    } catch (e) {
      // Only when the image could not be read at all (or the inspection was stopped): an image
      // qemu-img cannot open is a result with a finding, not an error.
      if (!this.card(id)) return;
      const message = e instanceof Error ? e.message : String(e);
      this.patch(id, { phase: 'error', error: message });
      emit<InspectErrorDetail>('image-inspect-error', { file: group.name, message });
    }
  }
}
