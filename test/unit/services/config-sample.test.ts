// etc/ulm/ulm.conf.sample is generated from the option table: it must be up to date, and every
// default it shows must load.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOptions, loadConfig, OPTIONS, renderSample, SAMPLE_PATH } from '../../../services/config/index.js';

describe('configuration sample', () => {
  it('is up to date with the option table (run npm run genconfig when this fails)', () => {
    assert.equal(readFileSync(SAMPLE_PATH, 'utf8'), renderSample());
  });

  it('shows every option, commented out, with help and its type', () => {
    const sample = renderSample();
    for (const { section, name } of listOptions()) {
      assert.match(sample, new RegExp(`^#${name} =`, 'm'), `[${section}] ${name} is missing from the sample`);
    }
    assert.match(sample, /# TCP port ulm-api listens on\. \(integer value\)\n# Minimum value: 1\n# Maximum value: 65535\n#bind_port = 9328\n/);
    assert.match(sample, /#connection = sqlite:\/\/\/\$state_path\/ulm\.sqlite\n/);
    assert.match(sample, /# Deprecated group\/name - \[nova\]\/endpoint_type\n#interface = public\n/);
  });

  it('depends on nothing of the machine that generated it', () => {
    assert.doesNotMatch(renderSample(), /\/home\/|\/root\/|\/tmp\//);
  });

  it('loads with every option uncommented, to the defaults', () => {
    const directory = mkdtempSync(join(tmpdir(), 'ulm-sample-'));
    try {
      // Machine-dependent defaults are shown as <...>: leave those commented.
      const uncommented = renderSample().replace(/^#([a-z_]+ =(?! <).*)$/gm, '$1');
      const path = join(directory, 'ulm.conf');
      writeFileSync(path, uncommented);
      const environment = { env: {}, homedir: '/home/operator', hostname: 'controller-1' };
      // ulm's own sections load to their defaults; a plugin's uncommented options are the defaults
      // the plugin applies itself (the sample shows them), set explicitly.
      const own = (config: object) => Object.fromEntries(Object.entries(OPTIONS).map(([section, options]) => [section,
        Object.fromEntries(Object.keys(options).map((name) => [name, (config as Record<string, Record<string, unknown>>)[section][name]]))]));
      assert.deepEqual(own(loadConfig([path], {}, { environment })), own(loadConfig([], {}, { environment })));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
