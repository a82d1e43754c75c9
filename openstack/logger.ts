// The structured logger of the OpenStack edge (pino), with redaction as a second line of defence:
// the clients never hand it a secret, and these paths would be censored if one slipped in.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Field names that hold secrets anywhere in an OpenStack client's data. */
const SECRET_KEYS = ['password', 'secret', 'token', 'x-auth-token', 'x-subject-token', 'X-Auth-Token', 'X-Subject-Token', 'authorization', 'Authorization', 'application_credential_secret'];

const REDACT_PATHS = [
  ...SECRET_KEYS.map((key) => `["${key}"]`),
  ...SECRET_KEYS.map((key) => `*["${key}"]`),
  ...SECRET_KEYS.map((key) => `*.*["${key}"]`),
  ...SECRET_KEYS.map((key) => `*.*.*["${key}"]`),
];

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; default standard error, so that command output on stdout stays clean. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
    name: options.name ?? 'ulm',
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: undefined,
  }, options.destination ?? pino.destination(2));
}

/** A logger that drops everything (library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const SECRET_QUERY = /^(password|secret|token|key|signature|x-auth-token)$/i;

/** A URL fit for a log line: no user:password@, no secret-looking query values. */
export function loggableUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY.test(key)) parsed.searchParams.set(key, '[redacted]');
  }
  return parsed.toString();
}
