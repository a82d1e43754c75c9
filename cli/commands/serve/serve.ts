// `ulm serve`: every ulm process in one (API, applier, scheduler, monitor, listener) on the
// embedded defaults — SQLite and the in-process bus — for small clouds, demos and development.
import type { Command } from 'commander';
import { FEATURE_NAMES, type FeatureName } from '../../../services/features.js';
import { runUntilSignalled, withProcessOptions, type ProcessOptions } from '../../../services/process.js';
import { ValidationError } from '../../../core/validation.js';

interface ServeOptions extends ProcessOptions {
  without: string[];
}

export function registerServe(program: Command): void {
  const serve = program.command('serve')
    .description('run the whole ulm service in one process: API (and panel), applier, scheduler, monitor, listener')
    .option('--without <feature>', `leave a feature out (repeatable): ${FEATURE_NAMES.join(', ')}`, (value: string, previous: string[]) => [...previous, value], []);
  withProcessOptions(serve);
  serve.addHelpText('after', `
Examples:
  OS_CLIENT_CONFIG_FILE=clouds.yaml ulm serve --os-cloud mycloud      SQLite under ~/.local/state/ulm, in-process bus
  ulm serve --config-file /etc/ulm/ulm.conf                             the deployment's settings
  ulm serve --os-cloud mycloud --bind-port 9400 --without monitor

The API listens on [api] bind_host:bind_port (default 127.0.0.1:9328) and serves the panel at /.
Stop with Ctrl-C or SIGTERM: running waves finish first, running plans resume at the next start.`);
  serve.action(async (options: ServeOptions) => {
    const unknown = options.without.filter((name) => !FEATURE_NAMES.includes(name as FeatureName));
    if (unknown.length) throw new ValidationError('invalid option', [{ path: '--without', message: `"${unknown[0]}" is not a feature; use one of ${FEATURE_NAMES.join(', ')}` }]);
    const features = FEATURE_NAMES.filter((name) => !options.without.includes(name));
    await runUntilSignalled(features, options, { say: (line) => process.stdout.write(`${line}\n`) });
  });
}
