// Server exemptions set through the API: a server that never moves, moves only outside given
// windows, or is kept apart from servers with the same anti-affinity tag.
import type { Knex } from 'knex';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Type } from '@sinclair/typebox';
import { TimeWindowSchema, type TimeWindow } from '../../../core/policy/schema.js';
import { isKnownTimeZone } from '../../../core/policy/windows.js';
import { issuesOf, ValidationError, type Issue } from '../../../core/validation.js';
import { NotFound } from '../errors.js';
import { json, newId, optionalText, text, timestamp, type Clock, type Row } from '../rows.js';

export const EXEMPTION_KINDS = ['never', 'windows', 'anti_affinity_tag'] as const;
export type ExemptionKind = (typeof EXEMPTION_KINDS)[number];

export interface ServerExemptionRecord {
  id: string;
  serverId: string;
  kind: ExemptionKind;
  /** kind windows: the server does not move inside these windows. */
  windows: TimeWindow[] | null;
  /** kind anti_affinity_tag: the tag whose servers are kept on different hosts. */
  tag: string | null;
  reason: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewServerExemption {
  serverId: string;
  kind: ExemptionKind;
  windows?: TimeWindow[] | null;
  tag?: string | null;
  reason?: string;
}

const compiledWindows = TypeCompiler.Compile(Type.Array(TimeWindowSchema, { minItems: 1 }));

function validate(exemption: NewServerExemption): void {
  const issues: Issue[] = [];
  if (typeof exemption.serverId !== 'string' || !exemption.serverId || exemption.serverId.length > 36) issues.push({ path: 'exemption.server_id', message: `expected a server id (UUID), got ${JSON.stringify(exemption.serverId)}` });
  if (!EXEMPTION_KINDS.includes(exemption.kind)) issues.push({ path: 'exemption.kind', message: `expected one of ${EXEMPTION_KINDS.join(', ')}, got ${JSON.stringify(exemption.kind)}` });
  if (exemption.kind === 'windows') {
    if (!compiledWindows.Check(exemption.windows)) issues.push(...issuesOf(compiledWindows, exemption.windows, 'exemption.windows'));
    else exemption.windows?.forEach((window, index) => {
      if (window.timezone !== undefined && !isKnownTimeZone(window.timezone)) issues.push({ path: `exemption.windows[${index}].timezone`, message: `"${window.timezone}" is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"` });
    });
  } else if (exemption.windows) {
    issues.push({ path: 'exemption.windows', message: `applies only to kind "windows"; remove it or set kind to "windows"` });
  }
  if (exemption.kind === 'anti_affinity_tag' && (typeof exemption.tag !== 'string' || !exemption.tag || exemption.tag.length > 255)) issues.push({ path: 'exemption.tag', message: 'is required for kind "anti_affinity_tag": expected the tag, e.g. "anti-affinity:db"' });
  if (exemption.kind !== 'anti_affinity_tag' && exemption.tag) issues.push({ path: 'exemption.tag', message: 'applies only to kind "anti_affinity_tag"; remove it' });
  if (issues.length) throw new ValidationError('invalid server exemption', issues);
}

function toRecord(row: Row): ServerExemptionRecord {
  return {
    id: text(row.id), serverId: text(row.server_id), kind: text(row.kind) as ExemptionKind,
    windows: row.windows === null || row.windows === undefined ? null : json<TimeWindow[]>(row.windows),
    tag: optionalText(row.tag), reason: text(row.reason), createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
  };
}

export class ServerExemptionRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  async create(exemption: NewServerExemption): Promise<ServerExemptionRecord> {
    validate(exemption);
    const now = this.clock();
    const id = newId();
    await this.knex('server_exemptions').insert({
      id, server_id: exemption.serverId, kind: exemption.kind, windows: exemption.kind === 'windows' ? JSON.stringify(exemption.windows) : null,
      tag: exemption.kind === 'anti_affinity_tag' ? exemption.tag : null, reason: exemption.reason ?? '', created_at: now, updated_at: now,
    });
    return this.get(id);
  }

  async get(id: string): Promise<ServerExemptionRecord> {
    const row = await this.knex('server_exemptions').where({ id }).first();
    if (!row) throw new NotFound('server exemption', id);
    return toRecord(row);
  }

  async list(filter: { serverId?: string; kind?: ExemptionKind } = {}): Promise<ServerExemptionRecord[]> {
    const query = this.knex('server_exemptions').orderBy([{ column: 'server_id' }, { column: 'created_at' }, { column: 'id' }]);
    if (filter.serverId !== undefined) query.where({ server_id: filter.serverId });
    if (filter.kind !== undefined) query.where({ kind: filter.kind });
    return (await query).map(toRecord);
  }

  async update(id: string, changes: Partial<Omit<NewServerExemption, 'serverId'>>): Promise<ServerExemptionRecord> {
    const current = await this.get(id);
    const next: NewServerExemption = {
      serverId: current.serverId, kind: changes.kind ?? current.kind,
      windows: changes.windows !== undefined ? changes.windows : (changes.kind && changes.kind !== 'windows' ? null : current.windows),
      tag: changes.tag !== undefined ? changes.tag : (changes.kind && changes.kind !== 'anti_affinity_tag' ? null : current.tag),
      reason: changes.reason ?? current.reason,
    };
    validate(next);
    await this.knex('server_exemptions').where({ id }).update({
      kind: next.kind, windows: next.kind === 'windows' ? JSON.stringify(next.windows) : null, tag: next.kind === 'anti_affinity_tag' ? next.tag : null,
      reason: next.reason, updated_at: this.clock(),
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.knex('server_exemptions').where({ id }).delete())) throw new NotFound('server exemption', id);
  }
}
