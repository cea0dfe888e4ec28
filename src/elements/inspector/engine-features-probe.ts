// What the qemu-img engine can do (zstd), as the page's conversions offer it: asked of the engine
// once with the CLI's probe (workers/qemu-img/features.ts); until it answered, the build's known
// defaults (no zstd: refused with its sentence rather than offered).
import type { EngineFeatures } from '../../core/convert/options.ts';
import type { QemuImgClient } from '../../../workers/qemu-img/types.ts';
import { WASM_FEATURES } from './conversion-request.ts';

const loadFeatures = () => import('../../../workers/qemu-img/client.ts');

export class EngineFeaturesProbe {
  #features: EngineFeatures = WASM_FEATURES;
  #probe: Promise<void> | undefined;

  constructor(
    /** The inspection worker, which has the wasm loaded by the time a card can be converted. */
    private readonly qemu: () => Promise<QemuImgClient>,
    /** Hears that the engine answered other features than the defaults (offers change). */
    private readonly changed: () => void,
  ) {}

  get features(): EngineFeatures {
    return this.#features;
  }

  /** Probes once, in the inspection worker: one tiny `create` into the wasm's memory. */
  probe(): Promise<void> {
    this.#probe ??= (async () => {
      const [{ probeEngineFeatures }, client] = await Promise.all([loadFeatures(), this.qemu()]);
      const probed = await probeEngineFeatures(
        (args) => client.run({ args, memoryOutputs: ['probe.qcow2'], timeoutMs: 30_000 }),
        '/mem/probe.qcow2',
      );
      if (probed.zstd !== this.#features.zstd) {
        this.#features = probed;
        this.changed();
      }
    })().catch((e: unknown) => {
      // Keep the build's defaults (no zstd): a refusal with its sentence, never a failed run.
      console.warn('image-inspector: could not probe the qemu-img engine features:', e);
    });
    return this.#probe;
  }
}
