// Small conversions between repository records and table rows that behave the same on SQLite
// and MariaDB: ids, timestamps (DATETIME(3) there, epoch milliseconds here), JSON text, flags.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { datesOf, systemClock as theSystemClock } from '../clock.js';

export type Row = Record<string, unknown>;

/** The instant rows are stamped with: the one clock (services/clock.ts) as a Date, injected so tests and replays control time. */
export type Clock = () => Date;
export const systemClock: Clock = datesOf(theSystemClock);

export const newId = (): string => randomUUID();

/** A timestamp column as ISO 8601 UTC text. */
export function timestamp(value: unknown): string {
  const text = optionalTimestamp(value);
  if (text === null) throw new Error('a required timestamp column is empty');
  return text;
}

export function optionalTimestamp(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  // SQLite holds the epoch milliseconds knex wrote for a Date.
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value)).toISOString();
  return new Date(String(value)).toISOString();
}

export const text = (value: unknown): string => String(value);
export const optionalText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
export const integer = (value: unknown): number => Number(value);
export const optionalInteger = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const flag = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 1n;

export function json<T>(value: unknown): T {
  return JSON.parse(String(value)) as T;
}

/** An ISO 8601 instant as a Date for a DATETIME column; rejects what is not one. */
export function toDate(value: string | Date, field: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`${field}: "${String(value)}" is not an ISO 8601 time, e.g. 2026-11-22T20:00:00Z`);
  return date;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'ER_DUP_ENTRY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW';
}

/** The number of rows a conditional UPDATE changed, on either engine. */
export function changed(result: number | unknown): number {
  return typeof result === 'number' ? result : Number(result);
}

export type Executor = Knex | Knex.Transaction;
