// Hosts ulm itself disabled in Nova or powered off, with why, by which plan and when. This is
// how ulm knows which hosts are its own to bring back: it never enables a host it did not disable.
// A host ulm enabled again keeps its row, no longer held, with the time: until the next snapshot,
// that row is the freshest word on the host.
import type { Knex } from 'knex';
import { HostNotHeld } from '../errors.js';
import { flag, newId, optionalText, optionalTimestamp, text, timestamp, toDate, type Clock, type Row } from '../rows.js';

export interface HostStateRecord {
  id: string;
  host: string;
  disabled: boolean;
  disabledReason: string | null;
  poweredOff: boolean;
  actionPlanId: string | null;
  disabledAt: string | null;
  poweredOffAt: string | null;
  /** When ulm last enabled the host again (it no longer holds it then). */
  enabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

function toRecord(row: Row): HostStateRecord {
  return {
    id: text(row.id), host: text(row.host), disabled: flag(row.disabled), disabledReason: optionalText(row.disabled_reason),
    poweredOff: flag(row.powered_off), actionPlanId: optionalText(row.action_plan_id),
    disabledAt: optionalTimestamp(row.disabled_at), poweredOffAt: optionalTimestamp(row.powered_off_at), enabledAt: optionalTimestamp(row.enabled_at),
    createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
  };
}

export class HostStateRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  async find(host: string): Promise<HostStateRecord | undefined> {
    const row = await this.knex('host_states').where({ host }).first();
    return row ? toRecord(row) : undefined;
  }

  /** The hosts ulm holds: disabled or powered off by ulm. */
  async list(): Promise<HostStateRecord[]> {
    return (await this.knex('host_states').where({ disabled: true }).orWhere({ powered_off: true }).orderBy('host')).map(toRecord);
  }

  /** Hosts ulm enabled again after `instant` (ISO 8601) and has not disabled since. */
  async enabledSince(instant: string): Promise<HostStateRecord[]> {
    const rows = await this.knex('host_states').where({ disabled: false, powered_off: false }).andWhere('enabled_at', '>', toDate(instant, 'instant')).orderBy('host');
    return rows.map(toRecord);
  }

  /** After ulm disabled the host's nova-compute service (or before, to claim it). */
  async recordDisabled(host: string, details: { reason: string; actionPlanId?: string | null }): Promise<HostStateRecord> {
    const now = this.clock();
    await this.knex('host_states')
      .insert({ id: newId(), host, disabled: true, disabled_reason: details.reason, powered_off: false, action_plan_id: details.actionPlanId ?? null, disabled_at: now, created_at: now, updated_at: now })
      .onConflict('host')
      .merge({ disabled: true, disabled_reason: details.reason, action_plan_id: details.actionPlanId ?? null, disabled_at: now, enabled_at: null, updated_at: now });
    return (await this.find(host)) as HostStateRecord;
  }

  /** ulm powers off only hosts it disabled. */
  async recordPoweredOff(host: string): Promise<HostStateRecord> {
    const now = this.clock();
    const count = await this.knex('host_states').where({ host, disabled: true }).update({ powered_off: true, powered_off_at: now, updated_at: now });
    if (!count) throw new HostNotHeld(host, 'disabled');
    return (await this.find(host)) as HostStateRecord;
  }

  /** ulm powers on only hosts it powered off. */
  async recordPoweredOn(host: string): Promise<HostStateRecord> {
    const count = await this.knex('host_states').where({ host, powered_off: true }).update({ powered_off: false, powered_off_at: null, updated_at: this.clock() });
    if (!count) throw new HostNotHeld(host, 'powered off');
    return (await this.find(host)) as HostStateRecord;
  }

  /**
   * The check before enabling a host: returns ulm's record, or throws HostNotHeld when ulm did
   * not disable it (an operator did, or Nova itself) or when it is still powered off.
   */
  async assertDisabledByUlm(host: string): Promise<HostStateRecord> {
    const record = await this.find(host);
    if (!record || !record.disabled) throw new HostNotHeld(host, 'disabled');
    if (record.poweredOff) throw new HostNotHeld(host, 'powered on again');
    return record;
  }

  /** After ulm enabled the host again: it is no longer ulm's; the row keeps when. */
  async recordEnabled(host: string): Promise<void> {
    const now = this.clock();
    const count = await this.knex('host_states').where({ host, disabled: true, powered_off: false })
      .update({ disabled: false, disabled_reason: null, action_plan_id: null, disabled_at: null, enabled_at: now, updated_at: now });
    if (!count) await this.assertDisabledByUlm(host);
  }
}
