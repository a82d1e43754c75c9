// A process runs on one clock: what openRuntime is given stamps the database's rows, the bus's
// messages and the engine's answers alike, so a replay or a test that sets the time sees one
// instant everywhere (not the rows on the wall clock and the plans on the given one).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import { createLogger } from '../../../openstack/logger.js';
import { loadConfig } from '../../../services/config/index.js';
import { openRuntime, type Runtime } from '../../../services/runtime.js';

const INSTANT = '2026-12-01T21:00:00.000Z';

describe('one clock per process', () => {
  let directory: string;
  let runtime: Runtime;
  const clock: Clock = { now: () => Date.parse(INSTANT), sleep: async () => undefined };

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-clock-'));
    const file = join(directory, 'ulm.conf');
    writeFileSync(file, `[DEFAULT]\nstate_path = ${directory}\n`);
    runtime = await openRuntime(loadConfig([file]), { migrate: true, clock, logger: createLogger({ level: 'silent' }), configFiles: [file] });
  });
  after(async () => {
    await runtime?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('stamps stored records with the clock the runtime was given', async () => {
    const policy = await runtime.engine.createPolicy({ name: 'night', document: { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9 } });
    assert.equal(policy.created_at, INSTANT);
    assert.equal(policy.updated_at, INSTANT);
  });

  it('stamps bus messages with the same clock', async () => {
    const message = await runtime.bus.publish('ulm.test.clock', { hello: 'world' });
    assert.equal(message.timestamp, INSTANT);
  });
});
