// ulm.conf's [nova], [placement] and [gnocchi] sections: how ulm calls each service where an
// operator set it apart from the cloud's settings (endpoint, interface, region, timeout, TLS).
import type { CloudConfig, ServiceClientSettings } from '../openstack/config.js';
import { sourceOf, type Config } from './config/index.js';

/** Section -> the service type of the Keystone catalog. */
const SECTIONS = { nova: 'compute', placement: 'placement', gnocchi: 'metric' } as const;

/** The cloud with each section's options applied to its service; only options the operator set count. */
export function withServiceClients(cloud: CloudConfig, config: Config): CloudConfig {
  const endpointOverride = { ...cloud.endpoint_override };
  const services: Record<string, ServiceClientSettings> = { ...cloud.services };
  for (const [section, serviceType] of Object.entries(SECTIONS) as [keyof typeof SECTIONS, string][]) {
    const options = config[section];
    const given = (option: string) => (sourceOf(config, section, option) ?? 'default') !== 'default';
    const settings: ServiceClientSettings = { ...services[serviceType] };
    if (given('interface')) settings.interface = options.interface;
    if (given('region_name') && options.region_name) settings.region_name = options.region_name;
    if (given('timeout')) settings.timeout_ms = options.timeout * 1000;
    if ((given('cafile') && options.cafile) || (given('insecure') && options.insecure)) {
      settings.tls = { ...settings.tls, ...(options.cafile ? { cacert: options.cafile } : {}), ...(options.insecure ? { insecure: true } : {}) };
    }
    if (options.endpoint_override) endpointOverride[serviceType] = options.endpoint_override;
    if (Object.keys(settings).length) services[serviceType] = settings;
  }
  return { ...cloud, endpoint_override: endpointOverride, ...(Object.keys(services).length ? { services } : {}) };
}
