// Render pieces of <cloud-create-form> for the upload itself: where the bytes go (Glance,
// glance-direct, Swift container, S3 bucket and EC2 credentials, with object-settings.ts's part
// size, parts in flight and the object kept or deleted) and the one progress view (bytes, rate,
// time left, parts done and in flight, retries with the last reason).
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import type { UploadProgress } from '../../core/upload/types.ts';
import { formatBytes, formatDuration, formatRate } from './format.ts';
import { renderObjectSettings, type ObjectSettings } from './object-settings.ts';

export type UploadMethod = 'direct' | 'glance-direct' | 'web-download' | 'swift' | 's3';

/** Where an object-storage upload writes, in which parts, and whether the object stays; the S3
 *  secret stays in memory only. */
export type ObjectDestination = ObjectSettings &
  (
    { kind: 'swift'; container: string; tempUrlKey?: string } | { kind: 's3'; bucket: string; accessKeyId: string; secretAccessKey: string }
  );

/** An EC2 credential the user has in Keystone (the secret is never shown). */
export interface Ec2Choice {
  access: string;
  secret: string;
}

export type FormPhase = 'idle' | 'checking' | 'failed' | 'cancelled' | 'paused' | UploadProgress['phase'];

export interface MethodOptions {
  method: UploadMethod;
  canStage: boolean;
  hasSwift: boolean;
  hasS3: boolean;
}

export function renderMethodOptions(o: MethodOptions): TemplateResult {
  return html`
    <option value="direct" ?selected=${o.method === 'direct'}>${msg('Direct upload (PUT /file)')}</option>
    <option value="glance-direct" ?disabled=${!o.canStage} ?selected=${o.method === 'glance-direct'}>${msg('Interoperable import: glance-direct')}</option>
    <option value="swift" ?disabled=${!o.hasSwift} ?selected=${o.method === 'swift'}>${msg('Object storage: Swift (parallel, resumable)')}</option>
    <option value="s3" ?disabled=${!o.hasS3} ?selected=${o.method === 's3'}>${msg('Object storage: S3 (parallel, resumable)')}</option>`;
}

export interface DestinationView {
  method: UploadMethod;
  destination: ObjectDestination | null;
  ec2: Ec2Choice[];
  /** The chosen file's size, for the part size the engine would choose. */
  fileSize?: number;
  onChange: (d: ObjectDestination) => void;
  onCreateEc2: () => void;
}

export function renderDestination(v: DestinationView): TemplateResult | typeof nothing {
  if (v.method === 'swift') {
    const d = v.destination?.kind === 'swift' ? v.destination : { kind: 'swift' as const, container: 'images', tempUrlKey: '' };
    return html`<label for="container">${msg('Container')}</label>
      <div><input id="container" name="container" .value=${d.container}
        @input=${(e: Event) => v.onChange({ ...d, container: (e.target as HTMLInputElement).value })} />
        <span class="hint">${msg('Created if missing; segments go to <container>_segments.')}</span></div>
      <label for="tempurl-key">${msg('Account TempURL key')}</label>
      <div><input id="tempurl-key" name="tempurl-key" type="password" autocomplete="off" .value=${d.tempUrlKey ?? ''}
        @input=${(e: Event) => v.onChange({ ...d, tempUrlKey: (e.target as HTMLInputElement).value })} />
        <span class="hint">${msg('Glance downloads the object by a TempURL signed with it (X-Account-Meta-Temp-URL-Key); kept in memory only.')}</span></div>
      ${renderObjectSettings(d, v.fileSize, (p) => v.onChange({ ...d, ...p }))}`;
  }
  if (v.method !== 's3') return nothing;
  const d = v.destination?.kind === 's3' ? v.destination : { kind: 's3' as const, bucket: 'images', accessKeyId: '', secretAccessKey: '' };
  const set = (patch: Partial<typeof d>) => v.onChange({ ...d, ...patch });
  return html`<label for="bucket">${msg('Bucket')}</label>
    <input id="bucket" name="bucket" .value=${d.bucket} @input=${(e: Event) => set({ bucket: (e.target as HTMLInputElement).value })} />
    <label for="ec2">${msg('EC2 credentials')}</label>
    <div>
      <select id="ec2" name="ec2" @change=${(e: Event) => {
        const c = v.ec2.find((x) => x.access === (e.target as HTMLSelectElement).value);
        set({ accessKeyId: c?.access ?? '', secretAccessKey: c?.secret ?? '' });
      }}>
        <option value="" ?selected=${!v.ec2.some((c) => c.access === d.accessKeyId)}>${msg('Type them in')}</option>
        ${v.ec2.map((c) => html`<option value=${c.access} ?selected=${c.access === d.accessKeyId}>${c.access}</option>`)}
      </select>
      <button type="button" data-action="create-ec2" @click=${v.onCreateEc2}>${msg('Create new credentials')}</button>
    </div>
    <label for="access">${msg('Access key')}</label>
    <input id="access" name="access" autocomplete="off" .value=${d.accessKeyId} @input=${(e: Event) => set({ accessKeyId: (e.target as HTMLInputElement).value })} />
    <label for="secret">${msg('Secret key')}</label>
    <input id="secret" name="secret" type="password" autocomplete="off" .value=${d.secretAccessKey} @input=${(e: Event) => set({ secretAccessKey: (e.target as HTMLInputElement).value })} />
    ${renderObjectSettings(d, v.fileSize, set)}`;
}

export function phaseText(phase: FormPhase): string {
  switch (phase) {
    case 'checking':
      return msg('Checking the file against what the cloud accepts…');
    case 'preparing':
      return msg('Preparing: creating the image record or reading what is already stored…');
    case 'uploading':
      return msg('Uploading…');
    case 'finishing':
      return msg('Assembling the object from its parts…');
    case 'registering':
      return msg('Registering the object in Glance…');
    case 'importing':
      return msg('Waiting for Glance to import the data…');
    case 'verifying':
      return msg('Comparing the checksums with what Glance reports…');
    case 'paused':
      return msg('Paused: what is stored is kept; Resume continues from there.');
    case 'cancelled':
      return msg('Upload cancelled.');
    default:
      return '';
  }
}

/** Phases in which nothing moves any more, though the last progress report still counts bytes in flight. */
const STOPPED: readonly FormPhase[] = ['paused', 'cancelled', 'failed'];

/** Percent of the file stored or in flight (never back down on a retry: stored bytes only grow);
 *  once stopped (paused, cancelled, failed), what is stored only. */
export function percentOf(p: UploadProgress, phase?: FormPhase): number {
  if (!p.totalBytes) return 0;
  const flowing = p.phase === 'uploading' && !(phase && STOPPED.includes(phase));
  const moving = flowing ? Math.max(p.storedBytes, Math.min(p.sentBytes, p.totalBytes)) : p.storedBytes;
  return Math.min(100, Math.floor((moving / p.totalBytes) * 100));
}

/** What the progress line says: honest at the start (no rate yet) and at the end (everything
 *  stored: no "0 B/s, 0 s left"). */
export function progressText(p: UploadProgress, phase: FormPhase): string {
  const pct = percentOf(p, phase);
  const stored = formatBytes(p.storedBytes);
  const total = formatBytes(p.totalBytes);
  if (p.totalBytes > 0 && (p.storedBytes >= p.totalBytes || !['checking', 'preparing', 'uploading', ...STOPPED].includes(phase)))
    return msg(str`${pct}% — all ${total} stored.`);
  // paused, cancelled or failed part-way: what is stored, no rate (nothing is being sent)
  if (STOPPED.includes(phase)) return msg(str`${pct}% — ${stored} of ${total} stored.`);
  if (!p.sentBytes || !(p.bytesPerSecond > 0))
    return msg(str`${pct}% — ${stored} stored of ${total}; the rate and the time left show once bytes flow.`);
  const left = Number.isFinite(p.secondsLeft ?? NaN) ? msg(str`${formatDuration(p.secondsLeft!)} left`) : msg('time left unknown');
  return msg(str`${pct}% — ${stored} stored of ${total}, ${formatBytes(p.sentBytes)} sent at ${formatRate(p.bytesPerSecond)}, ${left}`);
}

export function renderProgress(p: UploadProgress | null, phase: FormPhase): TemplateResult | typeof nothing {
  if (!p && phase === 'idle') return nothing;
  const pct = p ? percentOf(p, phase) : 0;
  const parts =
    p && p.parts.total > 1
      ? STOPPED.includes(phase)
        ? msg(str`parts ${p.parts.done} of ${p.parts.total} stored`)
        : msg(str`parts ${p.parts.done} of ${p.parts.total} stored, ${p.parts.inFlight} in flight`)
      : '';
  return html`<div class="full" part="progress" data-phase=${phase}>
    ${
      p
        ? html`<progress max="100" .value=${pct} aria-label=${msg('Upload progress')}></progress>
      <div data-role="progress-text">${progressText(p, phase)}</div>
      ${parts ? html`<div data-role="parts">${parts}</div>` : nothing}
      ${p.retries ? html`<div data-role="retries">${msg(str`${p.retries} retried; last: ${p.lastRetryReason ?? ''}`)}</div>` : nothing}`
        : nothing
    }
    <div data-role="phase" aria-live="polite">${phaseText(phase)}</div>
  </div>`;
}
