// An ulm-applier process for the functional tests whose plans power hosts off and on: the same
// runtime and applier feature bin/ulm-applier runs (so ULM_TEST_CRASH_AT works the same), but
// with the ipmi power driver given the tests' OpenIPMI simulators, whose per-host UDP ports a
// configuration file cannot hold. Stops cleanly on SIGTERM, as bin/ulm-applier does.
//
// Usage: node --import tsx test/functional/ipmi-applier.ts CONFIG_FILE
// Environment: ULM_TEST_IPMI_OPTIONS, the ipmi driver's options as JSON (per-host address and port,
// the simulators' user and password); OS_CLOUD and OS_CLIENT_CONFIG_FILE for the dev cloud.
import { createLogger } from '../../openstack/logger.js';
import { createPowerDriver } from '../../plugins/power/index.js';
import { loadConfig } from '../../services/config/index.js';
import { startFeatures, stopFeatures } from '../../services/features.js';
import { openRuntime } from '../../services/runtime.js';
import { devCloudConfig } from './dev-cloud.js';

async function main(configFile: string | undefined): Promise<void> {
  if (!configFile) throw new Error('usage: ipmi-applier.ts CONFIG_FILE (ULM_TEST_IPMI_OPTIONS in the environment)');
  if (!process.env.ULM_TEST_IPMI_OPTIONS) throw new Error('ULM_TEST_IPMI_OPTIONS is not set: give the ipmi driver\'s options as JSON');
  const logger = createLogger({ level: 'info' });
  const power = createPowerDriver('ipmi', JSON.parse(process.env.ULM_TEST_IPMI_OPTIONS) as unknown, { logger });
  const runtime = await openRuntime(loadConfig([configFile]), { cloudConfig: devCloudConfig(), power, configFiles: [configFile], logger });
  const features = await startFeatures(runtime, ['applier']);
  process.stderr.write(`ipmi-applier ${process.pid}: running\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await stopFeatures(features);
  await runtime.close();
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`ipmi-applier: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
