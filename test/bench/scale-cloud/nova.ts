// Nova (compute API 2.1, microversions up to 2.96) of the stand-in cloud: what ulm's collection
// reads, paged as Nova pages it (limit and marker, at most osapi_max_limit = 1000 per page;
// server groups by limit and offset).
import type { Api, ApiRequest } from './api.js';
import { notFound } from './api.js';
import type { Inventory, Server } from './inventory.js';

const MAX_LIMIT = 1000;
const CREATED = Date.parse('2026-01-01T00:00:00Z');

function limitOf(request: ApiRequest): number {
  const asked = Number(request.query.get('limit') ?? MAX_LIMIT);
  return Math.min(Number.isInteger(asked) && asked > 0 ? asked : MAX_LIMIT, MAX_LIMIT);
}

/** Items after the marker (by id), one page of them; undefined when the marker is unknown (Nova: 400). */
function pageAfter<T>(items: T[], positionOf: Map<string, number>, request: ApiRequest): T[] | undefined {
  const marker = request.query.get('marker');
  let start = 0;
  if (marker) {
    const position = positionOf.get(marker);
    if (position === undefined) return undefined;
    start = position + 1;
  }
  return items.slice(start, start + limitOf(request));
}

/** A server as GET /servers/detail shows it at 2.96, with the fields Nova sends that ulm ignores. */
function serverBody(server: Server, baseUrl: string) {
  const created = new Date(CREATED + server.index * 60_000).toISOString().replace('.000', '');
  const link = `${baseUrl}/compute/v2.1/servers/${server.id}`;
  return {
    id: server.id, name: server.name, status: 'ACTIVE', tenant_id: server.projectId, user_id: 'admin-user',
    metadata: server.index % 50 === 0 ? { 'ulm:migratable': 'false' } : {}, hostId: server.host.id.replace(/-/g, ''),
    image: { id: '11111111-2222-4333-8444-555555555555', links: [{ rel: 'bookmark', href: `${baseUrl}/compute/images/1111` }] },
    flavor: { original_name: server.flavor.name, vcpus: server.flavor.vcpus, ram: server.flavor.ram, disk: server.flavor.disk, ephemeral: 0, swap: 0, extra_specs: { 'hw:cpu_policy': 'shared' } },
    created, updated: created,
    addresses: { private: [{ version: 4, addr: `10.${(server.index >> 16) & 255}.${(server.index >> 8) & 255}.${server.index & 255}`, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' }] },
    accessIPv4: '', accessIPv6: '', links: [{ rel: 'self', href: link }, { rel: 'bookmark', href: link }],
    'OS-DCF:diskConfig': 'MANUAL', progress: 0, 'OS-EXT-AZ:availability_zone': server.host.zone, pinned_availability_zone: null, config_drive: '',
    key_name: null, 'OS-SRV-USG:launched_at': created, 'OS-SRV-USG:terminated_at': null,
    'OS-EXT-SRV-ATTR:host': server.host.host, 'OS-EXT-SRV-ATTR:instance_name': `instance-${server.index.toString(16).padStart(8, '0')}`,
    'OS-EXT-SRV-ATTR:hypervisor_hostname': server.host.host, 'OS-EXT-SRV-ATTR:reservation_id': `r-${server.index}`, 'OS-EXT-SRV-ATTR:launch_index': 0,
    'OS-EXT-SRV-ATTR:hostname': server.name, 'OS-EXT-SRV-ATTR:kernel_id': '', 'OS-EXT-SRV-ATTR:ramdisk_id': '', 'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
    'OS-EXT-STS:task_state': null, 'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:power_state': 1,
    'os-extended-volumes:volumes_attached': [], locked: false, locked_reason: null, description: null, tags: [], trusted_image_certificates: null,
    host_status: 'UP', security_groups: [{ name: 'default' }],
  };
}

export function novaApi(inventory: Inventory): Api {
  // Nova lists servers newest first (created_at desc), hypervisors by id.
  const serversNewestFirst = inventory.servers.slice().reverse();
  const serverPosition = new Map(serversNewestFirst.map((server, index) => [server.id, index]));
  const hypervisorPosition = new Map(inventory.hypervisors.map((hypervisor, index) => [hypervisor.id, index]));
  return (request) => {
    const path = request.parts.join('/');
    if (request.method !== 'GET') return notFound(request, '/compute/v2.1');
    switch (path) {
      case '':
        return { status: 200, kind: 'GET /compute/v2.1/', body: { version: { id: 'v2.1', status: 'CURRENT', version: '2.96', min_version: '2.1', updated: '2013-07-23T11:33:21Z', links: [] } } };
      case 'servers/detail': {
        const page = pageAfter(serversNewestFirst, serverPosition, request);
        if (!page) return { status: 400, kind: 'GET /servers/detail', body: { badRequest: { code: 400, message: `marker [${request.query.get('marker')}] not found` } } };
        const body: Record<string, unknown> = { servers: page.map((server) => serverBody(server, request.baseUrl)) };
        if (page.length === limitOf(request)) body.servers_links = [{ rel: 'next', href: `${request.baseUrl}/compute/v2.1/servers/detail?limit=${limitOf(request)}&marker=${page[page.length - 1].id}` }];
        return { status: 200, kind: 'GET /servers/detail', body };
      }
      case 'os-hypervisors/detail': {
        const page = pageAfter(inventory.hypervisors, hypervisorPosition, request);
        if (!page) return { status: 400, kind: 'GET /os-hypervisors/detail', body: { badRequest: { code: 400, message: 'marker not found' } } };
        return {
          status: 200, kind: 'GET /os-hypervisors/detail',
          body: {
            hypervisors: page.map((hypervisor) => ({
              id: hypervisor.id, hypervisor_hostname: hypervisor.host, hypervisor_type: 'QEMU', hypervisor_version: 6002000, host_ip: '192.0.2.1',
              state: 'up', status: hypervisor.disabled ? 'disabled' : 'enabled', uptime: null,
              service: { id: hypervisor.serviceId, host: hypervisor.host, disabled_reason: hypervisor.disabled ? 'ops: disk replacement' : null },
            })),
          },
        };
      }
      case 'os-services':
        return {
          status: 200, kind: 'GET /os-services',
          body: {
            services: inventory.hypervisors.map((hypervisor) => ({
              id: hypervisor.serviceId, binary: 'nova-compute', host: hypervisor.host, zone: hypervisor.zone, status: hypervisor.disabled ? 'disabled' : 'enabled',
              state: 'up', disabled_reason: hypervisor.disabled ? 'ops: disk replacement' : null, forced_down: false, updated_at: new Date().toISOString(),
            })),
          },
        };
      case 'os-availability-zone/detail': {
        const zones = inventory.zones.map((zone) => ({
          zoneName: zone, zoneState: { available: true },
          hosts: Object.fromEntries(inventory.hypervisors.filter((hypervisor) => hypervisor.zone === zone)
            .map((hypervisor) => [hypervisor.host, { 'nova-compute': { available: true, active: !hypervisor.disabled, updated_at: new Date().toISOString() } }])),
        }));
        return { status: 200, kind: 'GET /os-availability-zone/detail', body: { availabilityZoneInfo: [{ zoneName: 'internal', zoneState: { available: true }, hosts: { controller: { 'nova-scheduler': { available: true, active: true } } } }, ...zones] } };
      }
      case 'os-aggregates':
        return {
          status: 200, kind: 'GET /os-aggregates',
          body: {
            aggregates: inventory.zones.map((zone, index) => ({
              id: index + 1, name: `agg-${zone}`, availability_zone: zone, metadata: { availability_zone: zone },
              hosts: inventory.hypervisors.filter((hypervisor) => hypervisor.zone === zone).map((hypervisor) => hypervisor.host),
              uuid: `aggregate-${index}`, created_at: '2026-01-01T00:00:00.000000', updated_at: null, deleted: false, deleted_at: null,
            })),
          },
        };
      case 'os-server-groups': {
        const limit = limitOf(request);
        const offset = Number(request.query.get('offset') ?? 0);
        const page = inventory.serverGroups.slice(offset, offset + limit);
        return {
          status: 200, kind: 'GET /os-server-groups',
          body: { server_groups: page.map((group) => ({ id: group.id, name: group.name, policy: group.policy, rules: {}, members: group.members, project_id: group.projectId, user_id: 'admin-user' })) },
        };
      }
      case 'os-migrations':
        return { status: 200, kind: 'GET /os-migrations', body: { migrations: [] } };
      default:
        return notFound(request, '/compute/v2.1');
    }
  };
}
