// Glance v2: schemas and info, images (list, get, create, JSON-patch update, delete), image data
// (direct upload, stage + import, web-download), import task polling and the metadefs catalog.
// Sending the bytes is in glance-image-data.ts, waiting for an import to settle in
// glance-image-wait.ts; GlanceClient stays the one entry point its callers know.
import type { KeystoneSession } from './keystone.ts';
import type { EndpointQuery } from './catalog.ts';
import { createBody } from './image-fields.ts';
import { OpenStackError } from './errors.ts';
import { defaultFetch, joinUrl, sendJson } from './http.ts';
import { putImageData, type DataTransferOptions } from './glance-image-data.ts';
import { waitForImageStatus } from './glance-image-wait.ts';
import type {
  FetchLike,
  GlanceImage,
  GlanceTask,
  ImageCreateFields,
  ImageListPage,
  ImageListQuery,
  ImagePatchOp,
  ImageSchemaInfo,
  ImportInfo,
  MetadefNamespace,
  MetadefProperty,
  StoreInfo,
  TokenProvider,
  WaitOptions,
} from './types.ts';

export const JSON_PATCH_CONTENT_TYPE = 'application/openstack-images-v2.1-json-patch';
export const IMAGE_RESOURCE_TYPE = 'OS::Glance::Image';

export interface GlanceClientOptions {
  /** The image endpoint from the catalog (with or without a trailing /v2). */
  endpoint: string;
  tokens: TokenProvider;
  fetch?: FetchLike;
}

export type { DataTransferOptions } from './glance-image-data.ts';

export type ImportMethod = { name: 'glance-direct' } | { name: 'web-download'; uri: string } | { name: 'copy-image' };

export interface ImportOptions {
  stores?: string[];
  allStoresMustSucceed?: boolean;
}

/** Quota usage from /v2/info/usage (keystone unified limits); null values mean unlimited/unknown. */
export interface ImageUsage {
  [resource: string]: { limit: number | null; usage: number };
}

export class GlanceClient {
  readonly endpoint: string;
  readonly #tokens: TokenProvider;
  readonly #fetch: FetchLike;

  constructor(options: GlanceClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '').replace(/\/v2$/, '');
    this.#tokens = options.tokens;
    this.#fetch = options.fetch ?? defaultFetch();
  }

  /** A client on the session's image endpoint for the region/interface (session defaults otherwise). */
  static fromSession(session: KeystoneSession, options: EndpointQuery & { fetch?: FetchLike } = {}): GlanceClient {
    return new GlanceClient({ endpoint: session.endpoint('image', options), tokens: session, fetch: options.fetch });
  }

  #url(path: string): string {
    return joinUrl(this.endpoint, path);
  }

  #json<T>(
    path: string,
    action: string,
    init: { method?: string; json?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    return sendJson<T>(this.#fetch, this.#url(path), { ...init, service: 'glance', action, tokens: this.#tokens });
  }

  // ------------------------------------------------------------ schemas and info

  async imageSchema(): Promise<ImageSchemaInfo> {
    const raw = await this.#json<Record<string, unknown>>('/v2/schemas/image', 'reading the image schema');
    const props = (raw.properties ?? {}) as Record<string, { enum?: unknown[] }>;
    const list = (k: string) => (props[k]?.enum ?? []).filter((v): v is string => typeof v === 'string');
    return { diskFormats: list('disk_format'), containerFormats: list('container_format'), visibilities: list('visibility'), raw };
  }

  async importInfo(): Promise<ImportInfo> {
    const raw = await this.#json<{ 'import-methods'?: { value?: string[] } }>('/v2/info/import', 'reading the import methods');
    return { methods: raw['import-methods']?.value ?? [] };
  }

  /** The stores of a multi-store Glance; [] when the cloud has a single store (404). */
  async storesInfo(): Promise<StoreInfo[]> {
    try {
      const raw = await this.#json<{ stores?: { id: string; description?: string; default?: boolean | string }[] }>(
        '/v2/info/stores',
        'reading the stores',
      );
      // Glance 25 answers "default": "true" (a string)
      return (raw.stores ?? []).map((s) => ({ id: s.id, description: s.description, default: s.default === true || s.default === 'true' }));
    } catch (e) {
      if (e instanceof OpenStackError && (e.kind === 'not-found' || e.kind === 'bad-request')) return [];
      throw e;
    }
  }

  /** Quota usage (Yoga+ with unified limits); null when the cloud does not report it. */
  async usage(): Promise<ImageUsage | null> {
    try {
      const raw = await this.#json<{ usage?: ImageUsage }>('/v2/info/usage', 'reading the quota usage');
      return raw.usage ?? null;
    } catch (e) {
      if (e instanceof OpenStackError && (e.kind === 'not-found' || e.kind === 'forbidden')) return null;
      throw e;
    }
  }

  // ------------------------------------------------------------ images

  async listImages(query: ImageListQuery = {}, signal?: AbortSignal): Promise<ImageListPage> {
    const p = new URLSearchParams();
    for (const k of ['name', 'status', 'visibility', 'owner', 'disk_format', 'container_format', 'tag', 'sort', 'marker'] as const) {
      const v = query[k];
      if (v !== undefined && v !== '') p.set(k, String(v));
    }
    if (query.protected !== undefined) p.set('protected', String(query.protected));
    if (query.limit !== undefined) p.set('limit', String(query.limit));
    for (const [k, v] of Object.entries(query.extra ?? {})) p.set(k, v);
    const qs = p.toString();
    const raw = await this.#json<{ images: GlanceImage[]; next?: string }>(`/v2/images${qs ? `?${qs}` : ''}`, 'listing images', { signal });
    return { images: raw.images, next: raw.next };
  }

  /** Follows `next` links until the end or `max` images. */
  async listAllImages(query: ImageListQuery = {}, max = 10_000, signal?: AbortSignal): Promise<GlanceImage[]> {
    const out: GlanceImage[] = [];
    let page = await this.listImages(query, signal);
    out.push(...page.images);
    while (page.next && out.length < max) {
      const marker = new URL(page.next, 'http://x').searchParams.get('marker');
      if (!marker) break;
      page = await this.listImages({ ...query, marker }, signal);
      out.push(...page.images);
    }
    return out.slice(0, max);
  }

  getImage(id: string, signal?: AbortSignal): Promise<GlanceImage> {
    return this.#json<GlanceImage>(`/v2/images/${encodeURIComponent(id)}`, 'reading the image', { signal });
  }

  /** POST /v2/images with the Dashboard's fields; custom properties go in as top-level strings. */
  createImage(fields: ImageCreateFields): Promise<GlanceImage> {
    return this.#json<GlanceImage>('/v2/images', 'creating the image', { method: 'POST', json: createBody(fields) });
  }

  updateImage(id: string, ops: ImagePatchOp[]): Promise<GlanceImage> {
    return this.#json<GlanceImage>(`/v2/images/${encodeURIComponent(id)}`, 'updating the image', {
      method: 'PATCH',
      json: ops,
      headers: { 'Content-Type': JSON_PATCH_CONTENT_TYPE },
    });
  }

  /** Deletes; a protected image gives kind 'protected' (offer to unprotect, then delete). */
  async deleteImage(id: string): Promise<void> {
    try {
      await this.#json<void>(`/v2/images/${encodeURIComponent(id)}`, 'deleting the image', { method: 'DELETE' });
    } catch (e) {
      if (e instanceof OpenStackError && e.kind === 'forbidden' && /protected/i.test(e.detail ?? ''))
        throw new OpenStackError(
          'This image is protected, so Glance refuses to delete it. Turn "protected" off first (update the image), then delete it.',
          { code: 'glance.protected', kind: 'protected', status: e.status, service: 'glance', detail: e.detail, cause: e },
        );
      throw e;
    }
  }

  /** Unprotects, then deletes (the "offer to unprotect" path). */
  async unprotectAndDelete(id: string): Promise<void> {
    await this.updateImage(id, [{ op: 'replace', path: '/protected', value: false }]);
    await this.deleteImage(id);
  }

  // ------------------------------------------------------------ data

  /** PUT /v2/images/{id}/file: the image turns active when this resolves. */
  uploadData(id: string, blob: Blob, options: DataTransferOptions): Promise<void> {
    return this.#putData(`/v2/images/${encodeURIComponent(id)}/file`, blob, options, 'uploading the image data');
  }

  /** PUT /v2/images/{id}/stage (interoperable import, step 1): the image turns "uploading". */
  stageData(id: string, blob: Blob, options: DataTransferOptions): Promise<void> {
    return this.#putData(`/v2/images/${encodeURIComponent(id)}/stage`, blob, options, 'staging the image data');
  }

  #putData(path: string, blob: Blob, options: DataTransferOptions, action: string): Promise<void> {
    return putImageData({ url: this.#url(path), action, tokens: this.#tokens, fetch: this.#fetch }, blob, options);
  }

  /** POST /v2/images/{id}/import (step 2 of glance-direct, or web-download from a URL). */
  async importImage(id: string, method: ImportMethod, options: ImportOptions = {}): Promise<void> {
    const body: Record<string, unknown> = { method };
    if (options.stores) body.stores = options.stores;
    if (options.allStoresMustSucceed !== undefined) body.all_stores_must_succeed = options.allStoresMustSucceed;
    await this.#json<void>(`/v2/images/${encodeURIComponent(id)}/import`, `importing the image (${method.name})`, {
      method: 'POST',
      json: body,
    });
  }

  /** GET /v2/images/{id}/tasks: where import failures are reported. */
  async imageTasks(id: string): Promise<GlanceTask[]> {
    const raw = await this.#json<{ tasks?: GlanceTask[] }>(`/v2/images/${encodeURIComponent(id)}/tasks`, 'reading the import tasks');
    return raw.tasks ?? [];
  }

  /**
   * Polls until the image reaches one of `until` (default active). Fails clearly when it is
   * killed or deleted, when an import task failed (reverted to queued, or stuck importing with a
   * failed task), or on timeout.
   */
  waitForImage(id: string, options: WaitOptions = {}): Promise<GlanceImage> {
    return waitForImageStatus(this, id, options);
  }

  // ------------------------------------------------------------ metadefs

  /** Namespaces that apply to images, with their properties (prefix applied) and objects. */
  async metadefNamespaces(resourceType = IMAGE_RESOURCE_TYPE): Promise<MetadefNamespace[]> {
    const list = await this.#json<{
      namespaces: { namespace: string; resource_type_associations?: { name: string; prefix?: string }[] }[];
    }>(`/v2/metadefs/namespaces?resource_types=${encodeURIComponent(resourceType)}&limit=1000`, 'reading the metadata catalog');
    const out: MetadefNamespace[] = [];
    // a few at a time: the catalog has ~30 namespaces and Glance is single-process here
    const queue = [...list.namespaces];
    const worker = async () => {
      for (let ns = queue.shift(); ns; ns = queue.shift()) out.push(await this.metadefNamespace(ns.namespace, resourceType));
    };
    await Promise.all([worker(), worker(), worker()]);
    return out.sort((a, b) => (a.display_name ?? a.namespace).localeCompare(b.display_name ?? b.namespace));
  }

  async metadefNamespace(namespace: string, resourceType = IMAGE_RESOURCE_TYPE): Promise<MetadefNamespace> {
    const raw = await this.#json<{
      namespace: string;
      display_name?: string;
      description?: string;
      resource_type_associations?: { name: string; prefix?: string }[];
      properties?: Record<string, Omit<MetadefProperty, 'name'>>;
      objects?: { name: string; description?: string; properties?: Record<string, Omit<MetadefProperty, 'name'>> }[];
    }>(
      `/v2/metadefs/namespaces/${encodeURIComponent(namespace)}?resource_type=${encodeURIComponent(resourceType)}`,
      'reading a metadata namespace',
    );
    const prefix = raw.resource_type_associations?.find((r) => r.name === resourceType)?.prefix;
    const props = (o?: Record<string, Omit<MetadefProperty, 'name'>>): MetadefProperty[] =>
      Object.entries(o ?? {}).map(([name, p]) => ({ ...p, name }));
    return {
      namespace: raw.namespace,
      display_name: raw.display_name,
      description: raw.description,
      prefix,
      properties: props(raw.properties),
      objects: (raw.objects ?? []).map((o) => ({ name: o.name, description: o.description, properties: props(o.properties) })),
    };
  }
}
