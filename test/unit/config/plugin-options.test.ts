// Each plugin's config section comes from the schema it declares: a datasource's in the section
// named after it, a power driver's in [power_DRIVER]; the values reach the plugin, the sample
// file shows them, and the options' old places in [power] still work with a warning.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, pluginOptions, renderSample, sectionNames, warningsOf, SAMPLE_PATH, type Environment } from '../../../services/config/index.js';
import { createDatasource, DATASOURCES } from '../../../plugins/datasources/index.js';
import { createPowerDriver, POWER_DRIVERS } from '../../../plugins/power/index.js';

const operator: Environment = { env: {}, homedir: '/home/operator', hostname: 'controller-1' };

describe('plugin options in ulm.conf', () => {
  let directory: string;
  const file = (text: string) => {
    const path = join(directory, 'ulm.conf');
    writeFileSync(path, text);
    return path;
  };
  const load = (text: string) => loadConfig([file(text)], {}, { environment: operator });

  beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-plugin-options-')); });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('gives every registered datasource and power driver with options a section', () => {
    const sections = sectionNames();
    for (const plugin of DATASOURCES) assert.ok(sections.includes(plugin.name), `no [${plugin.name}]`);
    for (const plugin of POWER_DRIVERS.filter((driver) => driver.name !== 'none')) assert.ok(sections.includes(`power_${plugin.name}`), `no [power_${plugin.name}]`);
  });

  it('hands the Gnocchi datasource the options set in [gnocchi], typed by its schema, and only those', () => {
    const config = load('[gnocchi]\ninterface = internal\nhost_metrics = false\nbatch_size = 50\nmemory_metric = memory.resident\n');
    const options = pluginOptions(config, 'gnocchi');
    assert.equal(options.host_metrics, false);
    assert.equal(options.batch_size, 50);
    assert.equal(options.memory_metric, 'memory.resident');
    assert.equal(options.interface, undefined, 'the client options of [gnocchi] are not the plugin\'s');
    assert.equal(options.cpu_metric, undefined, 'unset: the plugin\'s default applies');
    // The plugin's own validation accepts what the configuration hands it.
    assert.ok(createDatasource('gnocchi', options, { session: {} as never, logger: undefined as never }));
  });

  it('checks plugin options against the schema when the file is read, naming file and line', () => {
    const path = join(directory, 'ulm.conf');
    try {
      load('[gnocchi]\nbatch_size = 5000\n[power_ipmi]\naddress_template = bmc.example.org\n');
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.issues.map((issue) => `${issue.path}: ${issue.message}`), [
        `${path}:2: [gnocchi] batch_size: "5000" is not an integer from 1 to 1000 (too large)`,
        `${path}:4: [power_ipmi] address_template: "bmc.example.org": expected a template containing {host}, e.g. "{host}-bmc.example.org"`,
      ]);
    }
  });

  it('hands the chosen power driver its section, and masks its password in errors', () => {
    const config = load('[power]\ndriver = ipmi\n[power_ipmi]\naddress_template = {host}-bmc.example.org\nusername = admin\npassword = s3cret\nport = 6230\n');
    const options = pluginOptions(config, 'power_ipmi');
    assert.deepEqual(options, { address_template: '{host}-bmc.example.org', username: 'admin', password: 's3cret', port: 6230 });
    assert.ok(createPowerDriver('ipmi', options));
  });

  it('still reads the power options from their old place in [power], with a warning naming the new one', () => {
    const config = load('[power]\ndriver = redfish\nredfish_url_template = https://{host}-bmc\nredfish_username = u\nredfish_password = p\nredfish_insecure = true\n');
    assert.deepEqual(pluginOptions(config, 'power_redfish'), { url_template: 'https://{host}-bmc', username: 'u', password: 'p', verify_tls: false });
    assert.deepEqual(warningsOf(config).map((warning) => warning.message), [
      'is deprecated: write it as [power_redfish] url_template',
      'is deprecated: write it as [power_redfish] username',
      'is deprecated: write it as [power_redfish] password',
      'is deprecated: write it as [power_redfish] verify_tls (with the opposite value)',
    ]);
  });

  it('writes every plugin option in the sample, with the plugin\'s default, and the committed sample is current', () => {
    const sample = renderSample();
    for (const plugin of DATASOURCES) {
      const section = sample.slice(sample.indexOf(`\n[${plugin.name}]\n`));
      for (const name of Object.keys((plugin.optionsSchema as unknown as { properties: Record<string, unknown> }).properties)) {
        assert.match(section, new RegExp(`^#${name} =`, 'm'), `[${plugin.name}] ${name} is not in the sample`);
      }
    }
    assert.match(sample, /\n\[gnocchi\]\n[\s\S]*?\n#batch_size = 200\n/);
    assert.match(sample, /# Deprecated group\/name - \[power\]\/ipmi_address_template\n#address_template =\n/);
    assert.equal(readFileSync(SAMPLE_PATH, 'utf8'), sample, 'run npm run genconfig');
  });
});
