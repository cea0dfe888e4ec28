// The one injected HTTP request shape of the upload engine, in a file of its own (no imports) so
// that the Glance client can take it without importing the engine's types (no import cycle).

/** One HTTP request whose body is a slice of the file (disk-backed Blob: never buffered whole). */
export interface BodyRequest {
  url: string;
  method: 'PUT' | 'POST';
  headers: Record<string, string>;
  /** A Blob slice (XHR and fetch send it from disk) or a small in-memory body (a manifest). */
  body: Blob | string;
  signal?: AbortSignal;
  /** Payload bytes of this request sent so far (called often: throttle in the UI). */
  onProgress?: (sentBytes: number) => void;
  /** Give up when no byte moved for this long (a stalled part): rejects with kind 'timeout'. */
  stallTimeoutMs?: number;
  /**
   * Where the Blob body starts in the file being uploaded. A transport that knows that file (the
   * CLI's, by path) may read the range itself instead of through the Blob's stream.
   */
  fileOffset?: number;
}

export interface BodyResponse {
  status: number;
  /** Lower-case header name → value. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request. Injected: XHR in the page or the upload worker (upload progress for a
 * disk-backed Blob), fetch with a streamed body in Node. Resolves with any HTTP answer; rejects only
 * when no answer came (network, abort → name 'AbortError', CORS, stall).
 */
export interface BodyTransport {
  send(request: BodyRequest): Promise<BodyResponse>;
}
