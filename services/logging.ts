// Where a ulm process logs, from oslo.log's options: text lines (or JSON with use_json) to
// standard error, to log_file / log_dir/PROGRAM.log, to the systemd journal (use_journal) or to
// syslog (use_syslog); debug, log_level and default_log_levels decide what is written.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { pino, type DestinationStream, type LevelWithSilent } from 'pino';
import { createLogger, type LogFormat, type Logger } from '../openstack/logger.js';
import type { Config } from './config/index.js';

export interface LoggingOptions {
  /** The program's name, as oslo.log takes it from argv[0]: ulm-api, ulm-applier, ... or ulm. */
  program: string;
  /** Whether standard error is a terminal: then lines are text whatever use_json says. */
  terminal?: boolean;
  /** Where lines go when no file, journal or syslog is configured; standard error by default. */
  stderr?: DestinationStream;
}

const SYSLOG_FACILITIES: Record<string, number> = {
  LOG_USER: 1, LOG_DAEMON: 3, LOG_AUTH: 4, LOG_SYSLOG: 5,
  ...Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`LOG_LOCAL${index}`, 16 + index])),
};
const SYSLOG_SEVERITY: Record<string, number> = { CRITICAL: 2, ERROR: 3, WARNING: 4, INFO: 6, DEBUG: 7 };

/** Where journald's stream socket and the syslog daemon listen (sd_journal_stream_fd(3), syslog(3)). */
const JOURNAL_SOCKET = '/run/systemd/journal/stdout';
const SYSLOG_SOCKET = '/dev/log';

const closers = new WeakMap<Logger, () => Promise<void>>();

/** The file oslo.log would write: log_file (in log_dir when relative), else log_dir/PROGRAM.log. */
export function logFilePath(config: Config, program: string): string | undefined {
  const { log_file: file, log_dir: directory } = config.DEFAULT;
  if (file) return isAbsolute(file) || !directory ? file : join(directory, file);
  return directory ? join(directory, `${program}.log`) : undefined;
}

/** The level below which nothing is written: debug wins over log_level, as in oslo.log. */
export function rootLevel(config: Config): LevelWithSilent {
  if (config.DEFAULT.debug) return 'debug';
  return config.DEFAULT.log_level === 'warning' ? 'warn' : config.DEFAULT.log_level;
}

/**
 * A line-at-a-time pipe into a system tool (systemd-cat, logger) that hands each line to the
 * journal or syslog with its priority; it must not keep the process alive on its own. `socket`
 * is where the tool's daemon listens: without it the tool could only fail after the first lines
 * were written to it, so they go to standard error from the start. Null when the daemon is absent.
 */
function toolStream(command: string, args: string[], socket: string, priorityOf: (line: string) => number): { stream: DestinationStream; child: ChildProcess } | null {
  if (!existsSync(socket)) {
    process.stderr.write(`ulm: cannot log through ${command} (no daemon listens on ${socket}); logging to standard error\n`);
    return null;
  }
  const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  // The daemon may still refuse the tool: the lines then go to standard error, with one line
  // saying why, rather than nowhere.
  let failed = false;
  const fail = (reason: string) => {
    if (failed) return;
    failed = true;
    process.stderr.write(`ulm: cannot log through ${command} (${reason}); logging to standard error\n`);
  };
  child.on('error', (error) => fail(error.message));
  child.on('exit', (code) => { if (code !== 0) fail(`it exited with status ${code}`); });
  child.stdin?.on('error', (error) => fail(error.message));
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return {
    child,
    stream: {
      write(text: string) {
        if (failed || !child.stdin?.writable) {
          process.stderr.write(text);
          return;
        }
        for (const line of text.split('\n')) if (line) child.stdin.write(`<${priorityOf(line)}>${line}\n`);
      },
    },
  };
}

/** The level word a formatted line carries (text: after the pid; JSON: levelname). */
function levelOfLine(line: string): string {
  const json = /"levelname":"([A-Z]+)"/.exec(line);
  if (json) return json[1];
  return /^\S+ \S+ \d+ ([A-Z]+) /.exec(line)?.[1] ?? 'INFO';
}

/** Copies every line to each destination. */
function fanOut(destinations: DestinationStream[]): DestinationStream {
  return destinations.length === 1 ? destinations[0] : { write: (line: string) => { for (const destination of destinations) destination.write(line); } };
}

/** The process's logger from the configuration; `closeServiceLogger` flushes it at the end. */
export function createServiceLogger(config: Config, options: LoggingOptions): Logger {
  const destinations: DestinationStream[] = [];
  const children: ChildProcess[] = [];
  let daemonMissing = false;
  const file = logFilePath(config, options.program);
  let fileStream: ReturnType<typeof pino.destination> | undefined;
  if (file) {
    fileStream = pino.destination({ dest: file, mkdir: true, sync: true, append: true });
    destinations.push(fileStream);
  }
  if (config.DEFAULT.use_journal) {
    const journal = toolStream('systemd-cat', ['--identifier', options.program, '--level-prefix=true'], JOURNAL_SOCKET, (line) => SYSLOG_SEVERITY[levelOfLine(line)] ?? 6);
    if (journal) {
      destinations.push(journal.stream);
      children.push(journal.child);
    } else daemonMissing = true;
  }
  if (config.DEFAULT.use_syslog) {
    const facility = SYSLOG_FACILITIES[config.DEFAULT.syslog_log_facility.toUpperCase()] ?? 1;
    // --socket-errors=on: without it, logger(1) drops every line silently when no syslog daemon listens.
    const syslog = toolStream('logger', ['--tag', options.program, `--id=${process.pid}`, '--prio-prefix', '--socket-errors=on'], SYSLOG_SOCKET, (line) => facility * 8 + (SYSLOG_SEVERITY[levelOfLine(line)] ?? 6));
    if (syslog) {
      destinations.push(syslog.stream);
      children.push(syslog.child);
    } else daemonMissing = true;
  }
  // Lines meant for a daemon that is not there go to standard error, never nowhere.
  const toStderr = destinations.length === 0 || daemonMissing;
  if (toStderr) destinations.push(options.stderr ?? pino.destination(2));
  // A terminal shows human lines; JSON is for files, the journal and log shippers.
  const format: LogFormat = config.DEFAULT.use_json && !(toStderr && options.terminal) ? 'json' : 'text';
  const logger = createLogger({
    name: options.program.replace(/^ulm-/, 'ulm.'),
    level: rootLevel(config),
    format,
    namedLevels: config.DEFAULT.default_log_levels,
    destination: fanOut(destinations),
  });
  closers.set(logger, async () => {
    fileStream?.flushSync();
    fileStream?.end();
    for (const child of children) child.stdin?.end();
  });
  return logger;
}

/** Flushes and closes what createServiceLogger opened; other loggers are left alone. */
export async function closeServiceLogger(logger: Logger): Promise<void> {
  await closers.get(logger)?.();
  closers.delete(logger);
}
