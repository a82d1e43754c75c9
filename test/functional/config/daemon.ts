// Runs one ulm daemon as bin/ulm-FEATURE does, from the TypeScript sources (no build needed):
// `node --import tsx test/integration/config/daemon.ts FEATURE [options]`.
import { daemonMain } from '../../../services/process.js';
import type { FeatureName } from '../../../services/features.js';

const [feature, ...options] = process.argv.slice(2);
daemonMain(feature as FeatureName, [process.argv[0], `ulm-${feature}`, ...options]).then((code) => { process.exitCode = code; });
