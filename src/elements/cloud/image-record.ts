// Images as the cloud views read them, and how any property value becomes display text.
import type { GlanceImage } from '../../core/openstack/types.ts';

/** The views read images exactly as the core Glance client returns them. */
export type ImageRecord = GlanceImage;

/** Renders any property value as plain text (the views never interpret it as HTML). */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
