// The upload engine's public surface (plain TypeScript: no DOM, no Node).
export * from './types.ts';
export { startUpload, UploadStoppedError, backendFor } from './engine.ts';
export { ProgressTracker, RateMeter } from './progress.ts';
export { DEFAULT_RETRY, retryPolicy, isRetryable, backoffMs, systemClock, withRetry } from './retry.ts';
export { choosePartSize, partSpans, parseSize, swiftLimits, S3_LIMITS, DEFAULT_PART_SIZE, type PartLimits } from './part-size.ts';
export { fileFingerprint, fileIdentity, sameFile, uploadStateId } from './fingerprint.ts';
export { fetchBodyTransport, xhrBodyTransport, defaultBodyTransport, StallError } from './transports.ts';
export { DEFAULT_PARALLEL } from './part-size.ts';
export { SwiftSlo, segmentName, sloManifestEtag } from './swift-slo.ts';
export { S3Multipart, multipartEtag } from './s3-multipart.ts';
export { importFilterError } from './register.ts';
export { objectCorsSettings } from './object-errors.ts';
export { inlineDigestProvider, md5OfBlob } from './digests.ts';
export { verifyImageDigests } from './verify.ts';
