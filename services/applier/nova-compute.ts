// The applier's compute operations on a real cloud: Nova for servers, live migrations and
// nova-compute services, Placement for the room left on hosts.
import type { Cloud } from '../../openstack/cloud.js';
import { OpenStackHttpError } from '../../openstack/errors.js';
import { listHypervisors } from '../../openstack/nova/hypervisors.js';
import { abortLiveMigration } from '../../openstack/nova/migrations.js';
import { getServer, listServers } from '../../openstack/nova/servers.js';
import { disableComputeService, enableComputeService, listComputeServices } from '../../openstack/nova/services.js';
import { capacityOf, getInventories, getUsages } from '../../openstack/placement.js';
import { MigrationRefused, type ComputeOperations, type ComputeServiceState, type HostRoom, type MigrationRecord, type ServerLocation } from './compute.js';
import { MigrationPoll } from './migration-poll.js';

interface InstanceAction {
  action: string;
  request_id: string;
  start_time: string;
  message: string | null;
}

interface InstanceActionEvent {
  event: string;
  result: string | null;
  /** The fault message (2.84+). */
  details?: string | null;
}

/** Nova timestamps may lack a zone: they are UTC. */
function utc(text: string): number {
  return Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
}

export class NovaCompute implements ComputeOperations {
  /** The migrations in flight are followed with one request per beat, not one each. */
  private readonly migrationPoll: MigrationPoll;

  constructor(private readonly cloud: Cloud) {
    this.migrationPoll = new MigrationPoll(cloud.nova);
  }

  async serverLocation(serverId: string): Promise<ServerLocation | null> {
    try {
      const server = await getServer(this.cloud.nova, serverId);
      return {
        host: server.host, status: server.status, taskState: server.task_state,
        flavor: server.flavor ? { vcpus: server.flavor.vcpus, memoryMb: server.flavor.ram, diskGb: server.flavor.disk + server.flavor.ephemeral } : null,
      };
    } catch (error) {
      if (error instanceof OpenStackHttpError && error.status === 404) return null;
      throw error;
    }
  }

  async startLiveMigration(serverId: string, destination: string): Promise<{ requestId: string | undefined }> {
    try {
      const response = await this.cloud.nova.request('POST', `/servers/${encodeURIComponent(serverId)}/action`, {
        // A replayed live migration would be a second move: never retried blindly.
        idempotent: false,
        data: { 'os-migrateLive': { host: destination, block_migration: 'auto' } },
      });
      return { requestId: response.requestId };
    } catch (error) {
      if (error instanceof OpenStackHttpError && (error.status === 400 || error.status === 409)) throw new MigrationRefused(error.detail || error.message, error.requestId);
      throw error;
    }
  }

  async migrationsSince(serverId: string, since: string): Promise<MigrationRecord[]> {
    const from = Date.parse(since);
    const migrations = await this.migrationPoll.migrationsSince(serverId, since);
    return migrations
      .filter((migration) => migration.server_id === serverId && utc(migration.created_at) >= from)
      .map((migration) => ({ id: migration.id, status: migration.status, source: migration.source_compute, destination: migration.dest_compute, createdAt: new Date(utc(migration.created_at)).toISOString() }));
  }

  async liveMigrationCallsSince(serverId: string, since?: string): Promise<number> {
    const from = since === undefined ? -Infinity : Date.parse(since);
    const { instanceActions } = await this.cloud.nova.get<{ instanceActions: InstanceAction[] }>(`/servers/${encodeURIComponent(serverId)}/os-instance-actions`);
    return instanceActions.filter((action) => action.action === 'live-migration' && utc(action.start_time) >= from).length;
  }

  async failureReason(serverId: string, requestId: string | undefined): Promise<string | undefined> {
    const path = `/servers/${encodeURIComponent(serverId)}/os-instance-actions`;
    const { instanceActions } = await this.cloud.nova.get<{ instanceActions: InstanceAction[] }>(path);
    const migrations = instanceActions.filter((action) => action.action === 'live-migration');
    const action = migrations.find((candidate) => candidate.request_id === requestId) ?? migrations.sort((a, b) => utc(b.start_time) - utc(a.start_time))[0];
    if (!action) return undefined;
    const { instanceAction } = await this.cloud.nova.get<{ instanceAction: InstanceAction & { events?: InstanceActionEvent[] } }>(`${path}/${encodeURIComponent(action.request_id)}`);
    const failed = (instanceAction.events ?? []).filter((event) => event.result === 'Error');
    const details = failed.map((event) => event.details).filter((text): text is string => Boolean(text));
    return details[0] ?? instanceAction.message ?? (failed[0] ? `${failed[0].event} failed` : undefined);
  }

  async abortMigration(serverId: string, migrationId: number): Promise<void> {
    await abortLiveMigration(this.cloud.nova, serverId, migrationId);
  }

  /** A host's nova-compute service id, as last read: the calls that change a service need it. */
  private readonly serviceIds = new Map<string, string>();

  private async service(host: string) {
    const services = await listComputeServices(this.cloud.nova, host);
    const service = services.find((candidate) => candidate.host === host) ?? null;
    if (service) this.serviceIds.set(host, service.id);
    else this.serviceIds.delete(host);
    return service;
  }

  async computeService(host: string): Promise<ComputeServiceState | null> {
    const service = await this.service(host);
    return service ? { host, enabled: service.status === 'enabled', up: service.state === 'up', disabledReason: service.disabled_reason } : null;
  }

  /**
   * Changes a host's service by the id read last (the action's precondition has just read it),
   * looking it up again when there is none or Nova no longer knows it (a service deleted and
   * registered again gets a new id).
   */
  private async changeService(host: string, change: (serviceId: string) => Promise<unknown>): Promise<void> {
    const known = this.serviceIds.get(host);
    if (known) {
      try {
        await change(known);
        return;
      } catch (error) {
        if (!(error instanceof OpenStackHttpError && error.status === 404)) throw error;
      }
    }
    const service = await this.service(host);
    if (!service) throw new Error(`host ${host} has no nova-compute service`);
    await change(service.id);
  }

  async disableCompute(host: string, reason: string): Promise<void> {
    await this.changeService(host, (serviceId) => disableComputeService(this.cloud.nova, serviceId, reason));
  }

  async enableCompute(host: string): Promise<void> {
    await this.changeService(host, (serviceId) => enableComputeService(this.cloud.nova, serviceId));
  }

  async serversOnHost(host: string): Promise<string[]> {
    const servers = await listServers(this.cloud.nova, { filters: { host } });
    return servers.filter((server) => server.host === host).map((server) => server.id);
  }

  /** A host's resource provider: a hypervisor's id never changes, so it is looked up once per host. */
  private readonly providers = new Map<string, string>();

  /** The hypervisor listing under way: the moves of a wave start together, and it is the heaviest read here (0.2-0.3 s on the dev cloud). */
  private listing: Promise<void> | null = null;

  private async providerOf(host: string): Promise<string | null> {
    const known = this.providers.get(host);
    if (known) return known;
    this.listing ??= listHypervisors(this.cloud.nova)
      .then((hypervisors) => { for (const hypervisor of hypervisors) this.providers.set(hypervisor.service.host, hypervisor.id); })
      .finally(() => { this.listing = null; });
    await this.listing;
    return this.providers.get(host) ?? null;
  }

  async roomOn(host: string, again = false): Promise<HostRoom | null> {
    const provider = await this.providerOf(host);
    if (!provider) return null;
    let inventories: Awaited<ReturnType<typeof getInventories>>;
    let usages: Awaited<ReturnType<typeof getUsages>>;
    try {
      [inventories, usages] = await Promise.all([getInventories(this.cloud.placement, provider), getUsages(this.cloud.placement, provider)]);
    } catch (error) {
      // A compute node that was deleted and registered again has a new provider: look it up once more.
      if (again || !(error instanceof OpenStackHttpError && error.status === 404)) throw error;
      this.providers.delete(host);
      return this.roomOn(host, true);
    }
    const room = (resource: string) => {
      const inventory = inventories[resource];
      if (!inventory) return Infinity;
      return capacityOf(inventory) - (usages[resource] ?? 0);
    };
    return { vcpus: room('VCPU'), memoryMb: room('MEMORY_MB'), diskGb: room('DISK_GB') };
  }
}
