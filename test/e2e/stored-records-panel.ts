// The panel over a noauth ulm-api with no cloud behind it, on a fresh database that the test
// fills with records itself (snapshots, plans, windows): nothing here reaches Nova.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../openstack/logger.js';
import { resolveCloudConfig } from '../../openstack/config.js';
import { createApiApp } from '../../services/api/app.js';
import { loadConfig } from '../../services/config/index.js';
import { openRuntime, type Runtime } from '../../services/runtime.js';
import { REPO } from './browser.js';

export interface StoredRecordsPanel {
  runtime: Runtime;
  /** Where the API serves the built panel. */
  url: string;
  close(): Promise<void>;
}

export async function openStoredRecordsPanel(name: string): Promise<StoredRecordsPanel> {
  if (!existsSync(join(REPO, 'web', 'static', 'index.html'))) throw new Error('the panel is not built: run npm run build (scripts/e2e does)');
  const directory = mkdtempSync(join(tmpdir(), `ulm-e2e-${name}-`));
  const config = loadConfig([], { DEFAULT: { state_path: directory }, api: { auth_strategy: 'noauth' } });
  // An address nothing answers on: the status card says the cloud is unreachable, which is true.
  const nowhere = resolveCloudConfig({ env: {}, overrides: { auth_type: 'password', auth: { auth_url: 'http://127.0.0.1:9/v3', username: 'nobody', password: 'none', project_name: 'none', user_domain_name: 'Default', project_domain_name: 'Default' } } });
  const runtime = await openRuntime(config, { cloudConfig: nowhere, migrate: true, logger: createLogger({ level: 'silent' }) });
  const app = createApiApp({ engine: runtime.engine, auth: { strategy: 'noauth' }, panelDirectory: join(REPO, 'web', 'static') });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return {
    runtime,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      await app.close();
      await runtime.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
