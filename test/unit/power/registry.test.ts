// The power driver registry: one explicit list, names that match, and option errors that name the option and the fix.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POWER_DRIVER, POWER_DRIVERS, createPowerDriver, findPowerDriver, powerDriverNames } from '../../../plugins/power/index.js';
import { validationErrorOf } from './support.js';

const cloud = { endpoint: async () => 'http://127.0.0.1:1', token: async () => 'token' };
const ipmi = { address_template: '{host}-bmc.example.org', username: 'ulm', password: 'secret-1' };

describe('power driver registry', () => {
  it('lists none, ipmi, redfish and ironic, none being the default', () => {
    assert.deepEqual(powerDriverNames(), ['none', 'ipmi', 'redfish', 'ironic']);
    assert.equal(DEFAULT_POWER_DRIVER, 'none');
    assert.equal(createPowerDriver('none').name, 'none');
  });

  it('has one folder per driver, named as the driver names itself', () => {
    const folder = fileURLToPath(new URL('../../../plugins/power/', import.meta.url));
    const folders = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    assert.deepEqual(folders, [...powerDriverNames()].sort());
    for (const plugin of POWER_DRIVERS) {
      assert.ok(plugin.description.length > 0, plugin.name);
      assert.equal(plugin.optionsSchema.type, 'object', plugin.name);
      assert.equal(plugin.hostSettingsSchema.type, 'object', plugin.name);
    }
  });

  it('creates each driver with the name it was asked for', () => {
    const options: Record<string, unknown> = {
      none: {}, ipmi, redfish: { url_template: 'https://{host}-bmc.example.org', username: 'ulm', password: 'secret-1' }, ironic: {},
    };
    for (const name of powerDriverNames()) {
      const driver = createPowerDriver(name, options[name], { cloud });
      assert.equal(driver.name, name);
      assert.equal(driver.controlsPower, name !== 'none');
      assert.equal(findPowerDriver(name)?.name, name);
    }
  });

  it('refuses an unknown driver, listing the known ones', () => {
    const error = validationErrorOf(() => createPowerDriver('wake-on-lan', {}));
    assert.equal(error.issues[0].path, 'power.driver');
    assert.match(error.message, /"wake-on-lan" is not a power driver; use one of none, ipmi, redfish, ironic/);
  });

  it('names a wrongly typed option, the value and what is expected', () => {
    const error = validationErrorOf(() => createPowerDriver('ipmi', { ...ipmi, port: 'six-two-three' }));
    assert.equal(error.issues[0].path, 'power.ipmi.port');
    assert.match(error.message, /power\.ipmi\.port: expected an integer >= 1 and <= 65535, got "six-two-three"/);
  });

  it('names a missing required option', () => {
    const error = validationErrorOf(() => createPowerDriver('ipmi', { address_template: '{host}-bmc' }));
    assert.deepEqual(error.issues.map((issue) => issue.path), ['power.ipmi.username', 'power.ipmi.password']);
    assert.match(error.message, /power\.ipmi\.username: is required/);
  });

  it('names a misspelt option and lists the known ones', () => {
    const error = validationErrorOf(() => createPowerDriver('redfish', { url_template: 'https://{host}', username: 'u', password: 'p', verify_ssl: false }));
    assert.equal(error.issues[0].path, 'power.redfish.verify_ssl');
    assert.match(error.message, /is not a known field; remove it or check its spelling \(known fields: .*verify_tls/);
  });

  it('asks for a template that contains {host}', () => {
    const error = validationErrorOf(() => createPowerDriver('ipmi', { ...ipmi, address_template: 'bmc.example.org' }));
    assert.match(error.message, /power\.ipmi\.address_template: expected a template containing \{host\}, e.g. "\{host\}-bmc\.example\.org", got "bmc\.example\.org"/);
  });

  it('asks for a way to find each host\'s BMC', () => {
    const { address_template: _template, ...withoutAddress } = ipmi;
    assert.match(validationErrorOf(() => createPowerDriver('ipmi', withoutAddress)).message, /power\.ipmi\.address_template: is required unless hosts gives each host an address/);
    assert.match(validationErrorOf(() => createPowerDriver('redfish', { username: 'u', password: 'p' })).message, /power\.redfish\.url_template: is required unless hosts/);
    // An explicit map of host to address is enough.
    assert.equal(createPowerDriver('ipmi', { ...withoutAddress, hosts: { 'cmp-01': { address: '10.0.0.11' } } }).name, 'ipmi');
  });

  it('names a bad per-host setting by its host', () => {
    const error = validationErrorOf(() => createPowerDriver('ipmi', { ...ipmi, hosts: { 'cmp-01': { address: '-oProxyCommand' } } }));
    assert.equal(error.issues[0].path, 'power.ipmi.hosts.cmp-01.address');
  });

  it('refuses nonsense timings', () => {
    const error = validationErrorOf(() => createPowerDriver('redfish', { url_template: 'https://{host}', username: 'u', password: 'p', power_on_timeout_seconds: 0, retries: -1 }));
    assert.deepEqual(error.issues.map((issue) => issue.path), ['power.redfish.power_on_timeout_seconds', 'power.redfish.retries']);
  });

  it('refuses options for driver none, which takes none', () => {
    assert.equal(validationErrorOf(() => createPowerDriver('none', { username: 'x' })).issues[0].path, 'power.none.username');
  });

  it('says what the ironic driver needs from the process creating it', () => {
    assert.throws(() => createPowerDriver('ironic', {}), /power driver ironic needs a Keystone session/);
  });

  it('never shows a password in an option error', () => {
    const error = validationErrorOf(() => createPowerDriver('ipmi', { ...ipmi, password: 'hunter2-secret', port: 0 }));
    assert.doesNotMatch(error.message, /hunter2-secret/);
    // A password of the wrong type (a number from a hand-written file) is named, not quoted.
    const mistyped = validationErrorOf(() => createPowerDriver('redfish', { url_template: 'https://{host}', username: 'u', password: 73107331, hosts: { 'cmp-01': { password: 55501234 } } }));
    assert.deepEqual(mistyped.issues.map((issue) => issue.path).sort(), ['power.redfish.hosts.cmp-01.password', 'power.redfish.password']);
    assert.doesNotMatch(mistyped.message, /73107331|55501234/);
    assert.match(mistyped.message, /power\.redfish\.password: expected a non-empty string \(the value given is not shown: it is a secret\)/);
  });
});
