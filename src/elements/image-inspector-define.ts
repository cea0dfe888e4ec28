// The package's main entry (`import 'image-inspector'`) and the app's dist/image-inspector.js:
// registers <image-inspector> (once: a second copy on the page leaves the first in place).
import { ImageInspector } from './image-inspector.ts';

export * from './image-inspector-element.ts';

if (!customElements.get('image-inspector')) customElements.define('image-inspector', ImageInspector);
