// `ulm-manage`: the operator's maintenance command, like nova-manage: `db sync` and `db version`
// on the database of [database] connection, `db purge` of old rows (as watcher-db-manage purge),
// `config show` of the effective configuration.
import { Command, CommanderError } from 'commander';
import { ValidationError } from '../core/validation.js';
import { addConfigOptions, configFilesFrom, formatConfig, loadConfig, warningsOf, type ConfigCommandOptions } from '../services/config/index.js';
import { migrateToLatest, openDatabaseFromConfig, schemaVersion } from '../services/db/index.js';
import { purgeDatabase } from '../services/db/purge.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './errors.js';
import { VERSION } from '../services/version.js';

type Output = (text: string) => void;

/** --before: a date (midnight UTC) or an ISO 8601 time with an offset. */
export function parseBefore(value: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : new Date(Number.NaN);
  // A date that does not exist (2026-02-30) is refused, not rolled over into the next month.
  const rolledOver = !Number.isNaN(date.getTime()) && !/[+-]\d{2}:\d{2}$/.test(value) && date.toISOString().slice(0, 10) !== value.slice(0, 10);
  if (Number.isNaN(date.getTime()) || rolledOver) {
    throw new ValidationError('invalid option', [{ path: '--before', message: `"${value}" is not a date; give YYYY-MM-DD (midnight UTC) or an ISO 8601 time with an offset, e.g. 2026-11-01 or 2026-11-01T00:00:00Z` }]);
  }
  return date;
}

function configOf(command: Command) {
  const options = command.optsWithGlobals<ConfigCommandOptions>();
  const config = loadConfig(configFilesFrom(options), {}, { strict: options.strictConfig === true });
  for (const warning of warningsOf(config)) process.stderr.write(`ulm-manage: warning: ${warning.path} ${warning.message}\n`);
  return config;
}

async function withDatabase<T>(command: Command, work: (database: Awaited<ReturnType<typeof openDatabaseFromConfig>>) => Promise<T>): Promise<T> {
  const config = configOf(command);
  // A maintenance command answers now: no waiting for a database that is not there.
  const database = await openDatabaseFromConfig({ ...config, database: { ...config.database, max_retries: 0 } });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

export function buildManageProgram(write: Output = (text) => process.stdout.write(text)): Command {
  const program = addConfigOptions(new Command('ulm-manage'))
    .description('ulm-manage: maintain ulm\'s database and check its configuration')
    .version(VERSION)
    .option('--debug', 'show stack traces on failure', false)
    .showHelpAfterError()
    .exitOverride();

  const db = program.command('db').description('the database of [database] connection');
  db.command('sync')
    .description('create or upgrade the database schema to this ulm\'s version (safe to run again)')
    .action(async (_options, command: Command) => {
      await withDatabase(command, async (database) => {
        const applied = await migrateToLatest(database);
        const version = await schemaVersion(database);
        write(applied.length
          ? `${database.description}: applied ${applied.join(', ')}; schema at ${version.current}\n`
          : `${database.description}: schema already at ${version.current}\n`);
      });
    });
  db.command('version')
    .description('print the schema version of the database (the newest applied migration)')
    .action(async (_options, command: Command) => {
      await withDatabase(command, async (database) => {
        const version = await schemaVersion(database);
        write(`${version.current ?? 'none'}\n`);
        if (version.pending.length) process.stderr.write(`ulm-manage: ${version.pending.length} migration(s) pending (${version.pending.join(', ')}): run ulm-manage db sync\n`);
      });
    });

  db.command('purge')
    .description('delete snapshots, audits, finished action plans and their actions (the journal) older than --before; keeps the newest snapshot and whatever an unfinished plan, a held host, a window run or a maintenance in progress refers to')
    .requiredOption('--before <date>', 'purge rows older than this: YYYY-MM-DD (midnight UTC) or an ISO 8601 time with an offset')
    .option('--dry-run', 'print what would be deleted, delete nothing', false)
    .action(async (options: { before: string; dryRun: boolean }, command: Command) => {
      const before = parseBefore(options.before);
      await withDatabase(command, async (database) => {
        const report = await purgeDatabase(database.knex, { before, dryRun: options.dryRun });
        const verb = options.dryRun ? 'would delete' : 'deleted';
        for (const [table, count] of Object.entries(report)) write(`${table}: ${verb} ${count}\n`);
      });
    });

  const config = program.command('config').description('the configuration files');
  config.command('show')
    .description('print the effective configuration, secrets masked, with the file each value came from')
    .option('--show-secrets', 'print passwords and credentials in clear', false)
    .action((options: { showSecrets: boolean }, command: Command) => {
      write(formatConfig(configOf(command), { showSecrets: options.showSecrets }));
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildManageProgram().parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    process.stderr.write(`ulm-manage: ${(error as Error).message ?? String(error)}\n`);
    if (error instanceof ValidationError) return EXIT_USAGE;
    if (argv.includes('--debug')) process.stderr.write(`${(error as Error).stack}\n`);
    return EXIT_FAILED;
  }
}

// Run directly (`npx tsx cli/manage.ts db sync`) as well as through bin/ulm-manage.
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv).then((code) => { process.exitCode = code; });
}
