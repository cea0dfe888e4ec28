// The package's define-free entry (`image-inspector/element`): the class, its event details and
// the base path of the worker and wasm, without registering any tag — for hosts that register
// the element themselves (a scoped registry, another tag name).
export { ImageInspector, type UploadRequestDetail, type InspectErrorDetail, type ConvertedDetail } from './image-inspector.ts';
export { setBasePath, getBasePath } from '../../workers/base-path.ts';
export type { InspectionResult } from '../core/inspection.ts';
