// Picks endpoints out of a Keystone service catalog by service type, region and interface.
import { OpenStackError } from './errors.ts';
import type { EndpointInterface, ServiceCatalog } from './types.ts';

export interface EndpointQuery {
  region?: string;
  interface?: EndpointInterface;
}

/** Every region that has at least one endpoint, sorted. */
export function catalogRegions(catalog: ServiceCatalog): string[] {
  const set = new Set<string>();
  for (const s of catalog) for (const e of s.endpoints) if (e.region_id ?? e.region) set.add((e.region_id ?? e.region)!);
  return [...set].sort();
}

/** The interfaces a service offers in a region (for the interface picker). */
export function catalogInterfaces(catalog: ServiceCatalog, serviceType: string, region?: string): EndpointInterface[] {
  const out = new Set<EndpointInterface>();
  for (const s of catalog)
    if (s.type === serviceType) for (const e of s.endpoints) if (!region || (e.region_id ?? e.region) === region) out.add(e.interface);
  return [...out];
}

/**
 * The URL of `serviceType` ("image", "object-store", "identity") for the region and interface
 * (default public). Without a region, the only region that offers the service is used; several
 * regions without a choice is an error that names them.
 */
export function findEndpoint(catalog: ServiceCatalog, serviceType: string, query: EndpointQuery = {}): string {
  const iface = query.interface ?? 'public';
  const candidates = catalog
    .filter((s) => s.type === serviceType)
    .flatMap((s) => s.endpoints)
    .filter((e) => e.interface === iface);
  const inRegion = query.region ? candidates.filter((e) => (e.region_id ?? e.region) === query.region) : candidates;
  const regions = [...new Set(inRegion.map((e) => e.region_id ?? e.region ?? ''))];
  if (inRegion.length === 0) {
    const where = query.region ? ` in region ${query.region}` : '';
    throw new OpenStackError(
      `The service catalog has no ${iface} "${serviceType}" endpoint${where}. ` +
        `Choose another region or interface (available: ${describe(catalog, serviceType) || 'none'}).`,
      {
        code: 'catalog.no-endpoint',
        params: { interface: iface, serviceType, region: query.region ?? '', available: describe(catalog, serviceType) || 'none' },
        kind: 'no-endpoint',
        service: 'keystone',
      },
    );
  }
  if (!query.region && regions.length > 1)
    throw new OpenStackError(`The "${serviceType}" service exists in several regions (${regions.join(', ')}): choose one.`, {
      code: 'catalog.several-regions',
      params: { serviceType, regions: regions.join(', ') },
      kind: 'no-endpoint',
      service: 'keystone',
    });
  return inRegion[0].url.replace(/\/+$/, '');
}

function describe(catalog: ServiceCatalog, serviceType: string): string {
  return catalog
    .filter((s) => s.type === serviceType)
    .flatMap((s) => s.endpoints.map((e) => `${e.region_id ?? e.region ?? '?'}/${e.interface}`))
    .join(', ');
}
