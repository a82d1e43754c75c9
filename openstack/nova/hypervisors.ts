// Nova hypervisors: the compute nodes, each tied to its nova-compute service host and, by its
// UUID (2.53+), to its Placement resource provider.
import { allPages, type NovaClient } from './client.js';

export interface NovaHypervisor {
  /** The compute node UUID, which is also its Placement resource provider's UUID. */
  id: string;
  hypervisor_hostname: string;
  hypervisor_type: string | undefined;
  state: string;
  status: string;
  service: { id: string; host: string; disabled_reason: string | null };
}

interface RawHypervisor {
  id: string;
  hypervisor_hostname: string;
  hypervisor_type?: string;
  state: string;
  status: string;
  service: { id: string; host: string; disabled_reason?: string | null };
}

export async function listHypervisors(nova: NovaClient, pageSize = 1000): Promise<NovaHypervisor[]> {
  const raw = await allPages<RawHypervisor>(async (marker) => (await nova.get<{ hypervisors: RawHypervisor[] }>('/os-hypervisors/detail', { limit: pageSize, marker })).hypervisors, pageSize);
  return raw.map((hypervisor) => ({
    id: hypervisor.id,
    hypervisor_hostname: hypervisor.hypervisor_hostname,
    hypervisor_type: hypervisor.hypervisor_type,
    state: hypervisor.state,
    status: hypervisor.status,
    service: { id: hypervisor.service.id, host: hypervisor.service.host, disabled_reason: hypervisor.service.disabled_reason ?? null },
  }));
}
