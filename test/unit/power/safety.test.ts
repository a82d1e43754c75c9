// The safety rules every power driver keeps: no power off without the caller's word that the host is empty and disabled by ulm, and driver none never claims a host is off.
import assert from 'node:assert/strict';
import { PowerError, requirePowerOffConfirmation, type PowerDriver, type PowerOffConfirmation } from '../../../core/power.js';
import { createPowerDriver, powerDriverNames } from '../../../plugins/power/index.js';
import { fakeIpmitool, type FakeIpmitool } from './fake-ipmitool.js';
import { node, startFakeIronic } from './fake-ironic.js';
import { startFakeBmc } from './fake-redfish.js';
import { powerErrorOf } from './support.js';

// What a careless caller or a JSON document might pass instead of the confirmation.
const NOT_CONFIRMATIONS: unknown[] = [undefined, null, {}, { verifiedEmptyAndDisabled: false }, { verifiedEmptyAndDisabled: 'true' }, { verifiedEmptyAndDisabled: 1 }, { verifiedEmpty: true }, true];

describe('power off safety', () => {
  let ipmitool: FakeIpmitool;
  let bmc: Awaited<ReturnType<typeof startFakeBmc>>;
  let ironic: Awaited<ReturnType<typeof startFakeIronic>>;
  let drivers: PowerDriver[];
  const touched = () => ipmitool.calls().length + bmc.requests.length + ironic.requests.length;

  before(async () => {
    ipmitool = fakeIpmitool();
    bmc = await startFakeBmc('ulm', 'Redfish-Secret-1');
    ironic = await startFakeIronic([node('cmp-01', '1be26c0b-03f2-4d2e-ae87-c02d7f33c781', 'power on')], () => 'token');
    const options: Record<string, unknown> = {
      none: {},
      ipmi: { address_template: '{host}-bmc.example.org', username: 'ulm', password: 'Ipmi-Secret-1', ipmitool: ipmitool.command, poll_interval_seconds: 0.01 },
      redfish: { hosts: { 'cmp-01': { url: bmc.url } }, username: 'ulm', password: 'Redfish-Secret-1', poll_interval_seconds: 0.01 },
      ironic: { poll_interval_seconds: 0.01 },
    };
    const cloud = { endpoint: async () => ironic.url, token: async () => 'token' };
    drivers = powerDriverNames().map((name) => createPowerDriver(name, options[name], { cloud }));
  });
  after(async () => {
    ipmitool.remove();
    await bmc.close();
    await ironic.close();
  });

  it('every driver refuses to power off without the confirmation, before touching anything', async () => {
    for (const driver of drivers) {
      for (const confirmation of NOT_CONFIRMATIONS) {
        const error = await powerErrorOf(driver.powerOff({ name: 'cmp-01' }, confirmation as PowerOffConfirmation), 'refused');
        assert.equal(error.host, 'cmp-01');
        assert.equal(error.operation, 'power off');
        assert.equal(error.driver, driver.name);
        assert.match(error.message, /ulm powers a host off only after verifying in Nova that it holds no server and that ulm disabled its nova-compute service/);
        assert.equal(error.transient, false);
      }
    }
    assert.equal(touched(), 0, 'no BMC, ipmitool or Ironic was asked anything');
  });

  it('every driver powers off with the confirmation', async () => {
    for (const driver of drivers) {
      const outcome = await driver.powerOff({ name: 'cmp-01' }, { verifiedEmptyAndDisabled: true });
      assert.equal(outcome.state, driver.controlsPower ? 'off' : 'unknown', driver.name);
    }
  });

  it('the guard itself accepts only the literal true', () => {
    assert.doesNotThrow(() => requirePowerOffConfirmation('test', { name: 'cmp-01' }, { verifiedEmptyAndDisabled: true }));
    assert.throws(() => requirePowerOffConfirmation('test', { name: 'cmp-01' }, { verifiedEmptyAndDisabled: 'yes' }), PowerError);
  });
});

describe('power driver none', () => {
  const driver = createPowerDriver('none');

  it('never reports a host off, since it powers nothing off', async () => {
    assert.deepEqual(await driver.powerOff({ name: 'cmp-01' }, { verifiedEmptyAndDisabled: true }), { host: 'cmp-01', state: 'unknown', changed: false });
    assert.equal(await driver.powerState({ name: 'cmp-01' }), 'unknown');
    assert.deepEqual(await driver.powerOn({ name: 'cmp-01' }), { host: 'cmp-01', state: 'unknown', changed: false });
    assert.equal(driver.controlsPower, false);
  });
});
