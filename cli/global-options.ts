// The options `ulm` takes before or after the command, as the OpenStack client does: the
// OpenStack auth options, --debug, -f and -c. Defined once on the program; the command that runs
// adopts the ones typed on the command line.
import { Option, type Command } from 'commander';
import { withAuthOptions } from './auth-options.js';
import { collect, OUTPUT_FORMATS } from './output.js';

/** Adds the global options to the program. */
export function addGlobalOptions(program: Command): Command {
  withAuthOptions(program);
  return program
    .option('--debug', 'show requests, request ids and stack traces (never secrets)', false)
    .addOption(new Option('-f, --format <format>', 'output format (also after the command)').choices(OUTPUT_FORMATS).default('table'))
    .option('-c, --column <column>', 'show only this column, by the name the table shows (repeat for more; also after the command)', collect, []);
}

/**
 * The options that choose where commands run: ulm-api at --os-ulm-url, or this process
 * (--direct), with its configuration files.
 */
export function addBackendOptions(program: Command): Command {
  return program
    .addOption(new Option('--os-ulm-url <url>', 'ulm-api address, e.g. http://127.0.0.1:9328 (env ULM_URL); default: the "ulm" service of the Keystone catalog'))
    .option('--direct', 'work without ulm-api: run ulm\'s engine in this process on the local configuration and database', false)
    // As services/config names them for every ulm process (`ulm serve` takes them over).
    .option('--config-file <path>', 'direct mode and ulm serve: configuration file; repeat to layer files (default: the first of ~/.ulm/ulm.conf, ~/ulm.conf, /etc/ulm/ulm.conf, /etc/ulm.conf)', collect, [])
    .option('--config-dir <dir>', 'direct mode and ulm serve: also read every *.conf file of this directory, in name order', collect, []);
}

/** The python-openstackclient options (`--os-*`, `--insecure`), but not ulm's own `--os-ulm-url`. */
export function isOpenStackOption(option: Option): boolean {
  return (option.long?.startsWith('--os-') && option.long !== '--os-ulm-url') || option.long === '--insecure';
}

/**
 * commander gives a parent first pick of the options it knows, wherever they are typed: `ulm host
 * list -f json` sets the program's -f. The command that runs takes over every value an ancestor
 * got from the command line for an option it has itself (its own default would win otherwise).
 */
export function adoptParentOptions(command: Command): void {
  for (const option of command.options as Option[]) {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) === 'cli') continue;
    for (let ancestor = command.parent; ancestor; ancestor = ancestor.parent) {
      if (ancestor.getOptionValueSource(key) === 'cli') {
        command.setOptionValueWithSource(key, ancestor.getOptionValue(key), 'cli');
        break;
      }
    }
  }
}
