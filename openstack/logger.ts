// ulm's logger (pino): every record passes the one secret masker, then is written as pino JSON
// (library use, tests), oslo.log's text line or oslo.log's JSON (services; see log-format.ts),
// filtered by oslo's per-logger levels.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { formatJson, formatText, namedLevels, type LogRecord } from './log-format.js';
import { maskRecord, maskSecretsIn } from './secrets.js';

export type { Logger } from 'pino';

/** pino: pino's own JSON lines; text: oslo.log's lines; json: oslo.log's JSON objects. */
export type LogFormat = 'pino' | 'text' | 'json';

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; default standard error, so that command output on stdout stays clean. */
  destination?: DestinationStream;
  name?: string;
  format?: LogFormat;
  /** oslo.log's default_log_levels, LOGGER=LEVEL pairs, e.g. ulm.openstack=WARN. */
  namedLevels?: readonly string[];
}

const PINO_LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** Writes each serialized record in the chosen format, if its logger's level lets it through. */
function formattingStream(destination: DestinationStream, format: LogFormat, name: string, threshold: (name: string | undefined) => number): DestinationStream {
  return {
    write(line: string) {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        destination.write(maskSecretsIn(line));
        return;
      }
      if (record.level < threshold(record.name)) return;
      destination.write(format === 'text' ? formatText(record, { name }) : format === 'json' ? formatJson(record, { name }) : line);
    },
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const name = options.name ?? 'ulm';
  const format = options.format ?? 'pino';
  const root = PINO_LEVEL_VALUES[options.level ?? 'info'];
  const levels = namedLevels(options.namedLevels ?? [], root);
  const destination = options.destination ?? pino.destination(2);
  const filtered = format !== 'pino' || levels.lowest < root;
  // pino lets through the lowest level any logger asks for; the stream drops the rest per logger.
  const level = (Object.entries(PINO_LEVEL_VALUES).find(([, value]) => value === levels.lowest)?.[0] ?? options.level ?? 'info') as LevelWithSilent;
  return pino({
    name,
    level,
    base: undefined,
    // The one secret masker, on every field and on the message: nothing reaches a line unmasked.
    formatters: { log: (object) => maskRecord(object) },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((argument) => (typeof argument === 'string' ? maskSecretsIn(argument) : argument)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  }, filtered ? formattingStream(destination, format, name, levels.threshold) : destination);
}

/** A logger that drops everything (library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Kept here for the HTTP clients; the one masker is openstack/secrets.ts. */
export { loggableUrl } from './secrets.js';
