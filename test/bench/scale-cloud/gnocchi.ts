// Gnocchi of the stand-in cloud: POST /v1/aggregates with a resource search, as Ceilometer's
// default meters fill it (per server `cpu` rates and `memory.usage`; per compute node
// `compute.node.cpu.percent`), a point per granularity over the window asked for.
import type { Api } from './api.js';
import { notFound } from './api.js';
import { uuidOf, type Inventory } from './inventory.js';

/** A steady fraction in [0, 1) from an index: each server's own level of use. */
function fraction(index: number): number {
  return ((index * 2654435761) % 4294967296) / 4294967296;
}

/** `(metric (cpu rate:mean) (memory.usage mean))` -> its metric and aggregation pairs. */
function referencesOf(operations: string): Array<[string, string]> {
  return [...operations.matchAll(/\(\s*"?([^\s()"]+)"?\s+"?([^\s()"]+)"?\s*\)/g)].map((match) => [match[1], match[2]]);
}

export function gnocchiApi(inventory: Inventory): Api {
  const hostResources = inventory.hypervisors.map((hypervisor, index) => ({ id: uuidOf(6, index), host_name: hypervisor.host, index }));
  const hostByName = new Map(hostResources.map((resource) => [resource.host_name, resource]));
  return (request) => {
    const path = request.parts.join('/');
    if (request.method === 'GET' && path === '') return { status: 200, kind: 'GET /metric/', body: { versions: [{ id: 'v1.0', status: 'CURRENT', links: [] }] } };
    if (request.method !== 'POST' || path !== 'v1/aggregates') return notFound(request, '/metric');
    const body = request.body as { operations?: string; resource_type?: string; search?: { in?: Record<string, string[]> } };
    const granularity = Number(request.query.get('granularity') ?? 60);
    const start = Date.parse(request.query.get('start') ?? '');
    const stop = Date.parse(request.query.get('stop') ?? '') || Date.now();
    if (!body.operations || !Number.isFinite(start) || !(granularity > 0)) return { status: 400, kind: 'POST /v1/aggregates', body: { description: 'operations, start and granularity are required' } };
    const times: string[] = [];
    for (let at = Math.ceil(start / (granularity * 1000)) * granularity * 1000; at < stop; at += granularity * 1000) times.push(new Date(at).toISOString().replace('Z', '+00:00'));
    const series = (level: number) => times.map((time, index): [string, number, number] => [time, granularity, level * (0.9 + 0.2 * fraction(index + 1))]);
    const measures: Record<string, Record<string, Record<string, Array<[string, number, number]>>>> = {};
    const references: Array<Record<string, unknown>> = [];
    const wanted = referencesOf(body.operations);
    if (body.resource_type === 'instance') {
      for (const id of body.search?.in?.id ?? []) {
        const server = inventory.serverById.get(id);
        if (!server) continue;
        const cores = server.flavor.vcpus * (0.05 + 0.5 * fraction(server.index));
        const metrics: Record<string, Record<string, Array<[string, number, number]>>> = {};
        for (const [metric, aggregation] of wanted) {
          if (metric === 'cpu' && aggregation === 'rate:mean') metrics.cpu = { [aggregation]: series(cores * granularity * 1e9) };
          if (metric === 'memory.usage' && aggregation === 'mean') metrics['memory.usage'] = { mean: series(server.flavor.ram * (0.2 + 0.6 * fraction(server.index + 7))) };
        }
        measures[id] = metrics;
        if (request.query.get('details') === 'true') references.push({ id, type: 'instance', display_name: server.name, host: server.host.host });
      }
    } else if (body.resource_type === 'nova_compute') {
      for (const name of body.search?.in?.host_name ?? []) {
        const resource = hostByName.get(name);
        if (!resource) continue;
        if (wanted.some(([metric]) => metric === 'compute.node.cpu.percent')) measures[resource.id] = { 'compute.node.cpu.percent': { mean: series(10 + 50 * fraction(resource.index)) } };
        if (request.query.get('details') === 'true') references.push({ id: resource.id, type: 'nova_compute', host_name: name });
      }
    } else {
      return { status: 400, kind: 'POST /v1/aggregates', body: { description: `Resource type ${body.resource_type} does not exist` } };
    }
    return { status: 200, kind: `POST /v1/aggregates (${body.resource_type})`, body: { measures, references } };
  };
}
