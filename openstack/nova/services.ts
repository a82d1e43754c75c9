// nova-compute services: list them, and disable (with a reason) or enable one. Disabling is how
// a host goes into maintenance: the scheduler sends it nothing new.
import type { NovaClient } from './client.js';

export interface ComputeService {
  /** The service UUID (2.53+), which disable/enable address. */
  id: string;
  host: string;
  zone: string | null;
  status: 'enabled' | 'disabled';
  state: 'up' | 'down';
  disabled_reason: string | null;
  forced_down: boolean;
  updated_at: string | null;
}

interface RawService {
  id: string;
  host: string;
  zone?: string;
  status: 'enabled' | 'disabled';
  state: 'up' | 'down';
  disabled_reason?: string | null;
  forced_down?: boolean;
  updated_at?: string | null;
}

function serviceFromNova(raw: RawService): ComputeService {
  return {
    id: raw.id, host: raw.host, zone: raw.zone ?? null, status: raw.status, state: raw.state,
    disabled_reason: raw.disabled_reason ?? null, forced_down: raw.forced_down ?? false, updated_at: raw.updated_at ?? null,
  };
}

export async function listComputeServices(nova: NovaClient, host?: string): Promise<ComputeService[]> {
  const body = await nova.get<{ services: RawService[] }>('/os-services', { binary: 'nova-compute', host });
  return body.services.map(serviceFromNova);
}

/** Disables a nova-compute service; the reason is what operators see in `openstack compute service list --long`. */
export async function disableComputeService(nova: NovaClient, serviceId: string, reason: string): Promise<ComputeService> {
  if (!reason.trim() || reason.length > 255) throw new RangeError('disabled reason: give 1 to 255 characters, e.g. "ulm: consolidated"');
  const response = await nova.request<{ service: RawService }>('PUT', `/os-services/${encodeURIComponent(serviceId)}`, { data: { status: 'disabled', disabled_reason: reason } });
  return serviceFromNova(response.data.service);
}

export async function enableComputeService(nova: NovaClient, serviceId: string): Promise<ComputeService> {
  const response = await nova.request<{ service: RawService }>('PUT', `/os-services/${encodeURIComponent(serviceId)}`, { data: { status: 'enabled' } });
  return serviceFromNova(response.data.service);
}
