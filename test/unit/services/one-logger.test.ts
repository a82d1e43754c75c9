// A process writes one log: what the bus says goes through the process's logger (its format,
// file and secret masking), not through a logger of the bus's own on standard error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../openstack/logger.js';
import { loadConfig } from '../../../services/config/index.js';
import { openRuntime } from '../../../services/runtime.js';

describe('one logger per process', () => {
  let directory: string;

  before(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-logger-')); });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('logs what the bus says through the process\'s logger', async () => {
    const file = join(directory, 'ulm.conf');
    writeFileSync(file, `[DEFAULT]\nstate_path = ${directory}\n`);
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'text', name: 'ulm.test', destination: { write: (line: string) => { lines.push(line); } } });
    const runtime = await openRuntime(loadConfig([file]), { migrate: true, logger, configFiles: [file] });
    // A job nobody consumes: the in-process bus warns at close that it is lost.
    await runtime.bus.enqueue('ulm.test.nobody', { hello: 'world' });
    await runtime.close();
    const warning = lines.find((line) => line.includes('in-process bus closed with jobs nobody consumed'));
    assert.ok(warning, `the bus's warning is in the process's log:\n${lines.join('')}`);
    assert.match(warning, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} \d+ WARNING ulm\.test /, 'as one of its text lines');
  });
});
