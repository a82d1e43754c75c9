// Log records as OpenStack services write them: oslo.log's text line
// `2026-12-06 07:13:09.123 4711 INFO ulm.applier [req-1 user project] message key=value`, or
// oslo.log's JSON object; plus oslo's per-logger levels (default_log_levels).

/** A pino record as it is serialized: level number, time in epoch ms, msg, name and fields. */
export type LogRecord = Record<string, unknown> & { level: number; time?: number; msg?: string; name?: string };

const LEVEL_NAMES: readonly [number, string][] = [[60, 'CRITICAL'], [50, 'ERROR'], [40, 'WARNING'], [30, 'INFO'], [0, 'DEBUG']];
/** Python logging's numbers, which oslo.log's JSON carries as levelno. */
const PYTHON_LEVELS: Record<string, number> = { CRITICAL: 50, ERROR: 40, WARNING: 30, INFO: 20, DEBUG: 10 };

export function levelName(level: number): string {
  return LEVEL_NAMES.find(([threshold]) => level >= threshold)?.[1] ?? 'DEBUG';
}

/** oslo's level words as pino levels; WARN and FATAL as Python's logging also reads them. */
const PINO_LEVELS: Record<string, number> = { DEBUG: 20, INFO: 30, WARN: 40, WARNING: 40, ERROR: 50, CRITICAL: 60, FATAL: 60 };

export function pinoLevelOf(word: string): number | undefined {
  return PINO_LEVELS[word.toUpperCase()];
}

/** Fields that make the request context, not extras. */
const REQUEST_FIELDS = ['request_id', 'global_request_id', 'user', 'user_id', 'user_name', 'project', 'project_id', 'project_name'];
const RECORD_FIELDS = ['level', 'time', 'msg', 'name', 'pid', 'hostname', 'err', 'v'];

function stringField(record: LogRecord, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** `[req-... user project]` with "-" for what is unknown, or oslo's `[-]` outside any request. */
export function requestContext(record: LogRecord): string {
  const request = stringField(record, 'request_id', 'global_request_id');
  const user = stringField(record, 'user_id', 'user', 'user_name');
  const project = stringField(record, 'project_id', 'project', 'project_name');
  if (!request && !user && !project) return '[-]';
  return `[${request ?? '-'} ${user ?? '-'} ${project ?? '-'}]`;
}

/** oslo's asctime with milliseconds, in local time as oslo.log writes it. */
export function timestampOf(time: number): string {
  const date = new Date(time);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function extrasOf(record: LogRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key, value]) => value !== undefined && !RECORD_FIELDS.includes(key) && !REQUEST_FIELDS.includes(key)));
}

function extraValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

interface SerializedError { type?: string; message?: string; stack?: string }

export interface FormatOptions {
  pid?: number;
  /** The logger name of records that carry none (the program's, e.g. ulm.applier). */
  name?: string;
}

/** One record as oslo.log's text line; an error's stack follows on lines of its own, each prefixed as oslo does. */
export function formatText(record: LogRecord, options: FormatOptions = {}): string {
  const level = levelName(record.level);
  const prefix = `${timestampOf(record.time ?? Date.now())} ${options.pid ?? process.pid} ${level} ${record.name ?? options.name ?? 'ulm'}`;
  const extras = Object.entries(extrasOf(record)).map(([key, value]) => ` ${key}=${extraValue(value)}`).join('');
  const error = record.err as SerializedError | undefined;
  const message = `${record.msg ?? ''}${error?.message && !String(record.msg ?? '').includes(error.message) ? `: ${error.message}` : ''}`;
  const lines = [`${prefix} ${requestContext(record)} ${message}${extras}`];
  // The first line of a stack repeats the message.
  for (const line of (error?.stack ?? '').split('\n').slice(1)) if (line.trim()) lines.push(`${prefix} ${line.trim()}`);
  return `${lines.join('\n')}\n`;
}

/** One record as oslo.log's JSONFormatter writes it (the fields an operator's tools look for). */
export function formatJson(record: LogRecord, options: FormatOptions = {}): string {
  const time = record.time ?? Date.now();
  const level = levelName(record.level);
  const error = record.err as SerializedError | undefined;
  return `${JSON.stringify({
    timestamp: new Date(time).toISOString(),
    asctime: timestampOf(time),
    name: record.name ?? options.name ?? 'ulm',
    levelname: level,
    levelno: PYTHON_LEVELS[level],
    process: options.pid ?? process.pid,
    hostname: record.hostname,
    message: record.msg ?? '',
    context: {
      request_id: stringField(record, 'request_id') ?? null,
      global_request_id: stringField(record, 'global_request_id') ?? null,
      user: stringField(record, 'user_id', 'user', 'user_name') ?? null,
      project: stringField(record, 'project_id', 'project', 'project_name') ?? null,
    },
    extra: extrasOf(record),
    ...(error ? { traceback: error.stack ?? error.message ?? null, error_summary: error.message ?? null } : {}),
  })}\n`;
}

/**
 * oslo's default_log_levels: the level of a record's logger is that of the longest configured
 * name equal to it or prefixing it at a dot (ulm.openstack covers ulm.openstack.http), else the
 * root level. Unknown level words are left out (the configuration checks them).
 */
export function namedLevels(pairs: readonly string[], rootLevel: number): { threshold(name: string | undefined): number; lowest: number } {
  const levels = new Map<string, number>();
  for (const pair of pairs) {
    const [name, word] = pair.split('=').map((part) => part.trim());
    const level = word ? pinoLevelOf(word) : undefined;
    if (name && level !== undefined) levels.set(name, level);
  }
  const names = [...levels.keys()].sort((a, b) => b.length - a.length);
  return {
    threshold(name) {
      if (!name) return rootLevel;
      const match = names.find((candidate) => name === candidate || name.startsWith(`${candidate}.`));
      return match ? levels.get(match)! : rootLevel;
    },
    lowest: Math.min(rootLevel, ...levels.values()),
  };
}
