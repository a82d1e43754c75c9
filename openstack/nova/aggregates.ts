// Nova host aggregates: which hosts belong together (and to which availability zone).
import type { NovaClient } from './client.js';

export interface NovaAggregate {
  id: number;
  name: string;
  availability_zone: string | null;
  hosts: string[];
  metadata: Record<string, string>;
}

export async function listAggregates(nova: NovaClient): Promise<NovaAggregate[]> {
  const body = await nova.get<{ aggregates: Array<Partial<NovaAggregate> & { id: number; name: string }> }>('/os-aggregates');
  return body.aggregates.map((aggregate) => ({
    id: aggregate.id,
    name: aggregate.name,
    availability_zone: aggregate.availability_zone ?? null,
    hosts: aggregate.hosts ?? [],
    metadata: aggregate.metadata ?? {},
  }));
}
