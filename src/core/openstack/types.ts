// Types shared by the Keystone and Glance clients, the sign-in form and the upload worker.
// Pure data: no DOM, no Node.

/** The `fetch` the clients call; injectable so the browser, workers and Node use the same code. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type EndpointInterface = 'public' | 'internal' | 'admin';

/** How to prove who we are to Keystone v3. Secrets live only in memory. */
export type AuthMethod =
  | {
      type: 'password';
      username: string;
      password: string;
      /** Default "Default" when neither domain name nor id is given. */
      userDomainName?: string;
      userDomainId?: string;
    }
  | {
      type: 'application-credential';
      /** Either the credential id, or its name plus the owning user. */
      id?: string;
      name?: string;
      secret: string;
      username?: string;
      userId?: string;
      userDomainName?: string;
      userDomainId?: string;
    }
  | {
      /** An existing token (e.g. from `openstack token issue`); cannot be renewed. */
      type: 'token';
      token: string;
    };

/** What the project-scoped token is for (ignored for application credentials, which carry it). */
export interface ProjectScope {
  projectName?: string;
  projectId?: string;
  /** Default "Default" when only a project name is given. */
  projectDomainName?: string;
  projectDomainId?: string;
}

/** Everything needed to sign in; filled by the form or from a clouds.yaml / openrc file. */
export interface AuthConfig {
  /** Keystone base URL, with or without `/v3`. */
  authUrl: string;
  auth: AuthMethod;
  scope?: ProjectScope;
  regionName?: string;
  interface?: EndpointInterface;
  /** The cloud's name in clouds.yaml, for display. */
  cloudName?: string;
}

export interface CatalogEndpoint {
  id: string;
  interface: EndpointInterface;
  region: string | null;
  region_id: string | null;
  url: string;
}

export interface CatalogService {
  id: string;
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export type ServiceCatalog = CatalogService[];

/** The parts of a Keystone v3 token body the app uses. */
export interface TokenInfo {
  /** The X-Subject-Token value. Never log it. */
  value: string;
  expiresAt: Date;
  issuedAt: Date;
  user: { id: string; name: string; domain: { id: string; name: string } };
  project?: { id: string; name: string; domain: { id: string; name: string } };
  roles: { id: string; name: string }[];
  catalog: ServiceCatalog;
  methods: string[];
}

/** A token source the Glance client asks before each request (KeystoneSession implements it). */
export interface TokenProvider {
  /** A valid token, renewed first when it is about to expire. */
  getToken(): Promise<string>;
  /** Called after a 401 on a service: the next getToken() must not return the same token. */
  invalidate(token: string): void;
  /** False when the secret is not held (existing-token sign-in): a 401 then is final. */
  readonly canRenew: boolean;
}

// ---------------------------------------------------------------- Glance

export type ImageStatus =
  'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'deactivated' | 'killed' | 'deleted' | 'pending_delete';

export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

/** A Glance v2 image as returned by the API; custom properties are extra string keys. */
export interface GlanceImage {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: ImageVisibility;
  protected: boolean;
  owner: string | null;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  min_disk: number;
  min_ram: number;
  tags: string[];
  created_at: string;
  updated_at: string;
  direct_url?: string;
  locations?: { url: string; metadata: Record<string, unknown> }[];
  stores?: string;
  self: string;
  file: string;
  schema: string;
  [property: string]: unknown;
}

/** Fields accepted at creation (the Dashboard's form) plus free custom properties. */
export interface ImageCreateFields {
  id?: string;
  name?: string;
  description?: string;
  disk_format?: string;
  container_format?: string;
  min_disk?: number;
  min_ram?: number;
  visibility?: ImageVisibility;
  protected?: boolean;
  architecture?: string;
  kernel_id?: string;
  ramdisk_id?: string;
  tags?: string[];
  /** Custom / metadefs properties (hw_*, os_*, vmware_*...): string values, as Glance stores them. */
  properties?: Record<string, string>;
}

/** One RFC 6902 operation as Glance's v2.1 JSON-patch accepts it. */
export type ImagePatchOp =
  { op: 'add'; path: string; value: unknown } | { op: 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

export interface ImageListQuery {
  name?: string;
  status?: ImageStatus;
  visibility?: ImageVisibility | 'all';
  owner?: string;
  disk_format?: string;
  container_format?: string;
  protected?: boolean;
  tag?: string;
  /** e.g. "name:asc,created_at:desc" */
  sort?: string;
  limit?: number;
  marker?: string;
  /** Any other filter Glance accepts (size_min, os_hidden, member_status...). */
  extra?: Record<string, string>;
}

export interface ImageListPage {
  images: GlanceImage[];
  /** Marker-carrying URL path for the next page, absent on the last page. */
  next?: string;
}

export interface ImportInfo {
  /** e.g. ["glance-direct", "web-download", "copy-image"] */
  methods: string[];
}

export interface StoreInfo {
  id: string;
  description?: string;
  default?: boolean;
}

/** The image schema's facts the form needs (and the raw schema). */
export interface ImageSchemaInfo {
  diskFormats: string[];
  containerFormats: string[];
  visibilities: string[];
  raw: Record<string, unknown>;
}

export interface GlanceTask {
  id: string;
  type: string;
  status: 'pending' | 'processing' | 'success' | 'failure' | string;
  message: string;
  result?: unknown;
  created_at: string;
  updated_at: string;
}

export interface MetadefProperty {
  name: string;
  title: string;
  description?: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | string;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  readonly?: boolean;
  /** For type "array": the item type and enum. */
  items?: { type?: string; enum?: (string | number)[] };
}

export interface MetadefNamespace {
  namespace: string;
  display_name?: string;
  description?: string;
  /** The prefix to put before property names for this resource type (e.g. "hw_"), if any. */
  prefix?: string;
  properties: MetadefProperty[];
  /** Objects in the namespace, each with its own properties (flattened names). */
  objects: { name: string; description?: string; properties: MetadefProperty[] }[];
}

export interface WaitOptions {
  /** Default 'active'. */
  until?: ImageStatus[];
  timeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
  onStatus?: (image: GlanceImage) => void;
}
