// The OpenStack clients' public surface (pure TypeScript, fetch only).
export * from './types.ts';
export * from './errors.ts';
export * from './transport-errors.ts';
export * from './catalog.ts';
export * from './keystone.ts';
export * from './cloud-config.ts';
export * from './glance.ts';
export * from './image-fields.ts';
export * from './image-patch.ts';
export { classifyTransportFailure, pageOrigin } from './http.ts';
