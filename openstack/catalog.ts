// Finds a service's endpoint in a Keystone v3 service catalog by type, interface and region.
import { EndpointNotFoundError } from './errors.js';

export interface CatalogEndpoint {
  interface: string;
  region_id?: string | null;
  region?: string | null;
  url: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface EndpointQuery {
  serviceType: string;
  interface: string;
  region?: string;
}

/** The endpoint URL (without a trailing slash), or an error that says what the catalog has. */
export function findEndpoint(catalog: CatalogService[], query: EndpointQuery): string {
  const services = catalog.filter((service) => service.type === query.serviceType);
  if (!services.length) {
    const types = [...new Set(catalog.map((service) => service.type))].sort();
    throw new EndpointNotFoundError(`the service catalog has no "${query.serviceType}" service (it has: ${types.join(', ') || 'nothing; is the token scoped to a project?'})`);
  }
  const endpoints = services.flatMap((service) => service.endpoints).filter((endpoint) => endpoint.interface === query.interface);
  const regionOf = (endpoint: CatalogEndpoint) => endpoint.region_id ?? endpoint.region ?? '';
  const inRegion = query.region ? endpoints.filter((endpoint) => regionOf(endpoint) === query.region) : endpoints;
  if (!inRegion.length) {
    const offered = services.flatMap((service) => service.endpoints).map((endpoint) => `${endpoint.interface}@${regionOf(endpoint) || 'no region'}`);
    throw new EndpointNotFoundError(`the "${query.serviceType}" service has no ${query.interface} endpoint${query.region ? ` in region ${query.region}` : ''} (it has: ${[...new Set(offered)].join(', ')}); set the interface (OS_INTERFACE) or region (OS_REGION_NAME)`);
  }
  const regions = [...new Set(inRegion.map(regionOf))];
  if (!query.region && regions.length > 1) {
    throw new EndpointNotFoundError(`the "${query.serviceType}" service has ${query.interface} endpoints in several regions (${regions.join(', ')}); choose one with OS_REGION_NAME or --os-region-name`);
  }
  return inRegion[0].url.replace(/\/+$/, '');
}
