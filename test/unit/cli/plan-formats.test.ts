// Offline `ulm plan --snapshot` in every format, -c, waves counted from 1 as everywhere, and the
// plan as the openstack commands an operator would type (--commands), the same for plan show.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { planAsCommands, shellWord } from '../../../cli/plan-commands.js';
import { snapshot } from '../../support/builders.js';
import { runUlm } from '../../support/ulm-in-process.js';

const WAVE_COLUMNS = ['Wave', 'Action', 'Server / host', 'From', 'To', 'Reason'];

describe('offline ulm plan in every format', () => {
  let directory: string;
  let file: string;
  const plan = (...args: string[]) => runUlm(['plan', '--snapshot', file, '--now', '2026-11-22T20:00:00Z', ...args], { keepEnvironment: true });

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-plan-formats-'));
    file = join(directory, 'cluster.json');
    // Three half-empty hosts: consolidating empties two of them.
    writeFileSync(file, JSON.stringify(snapshot().policy({ goal: 'consolidate' }).hosts(['cmp-1', 'cmp-2', 'cmp-3'])
      .server('vm-1', { on: 'cmp-1', name: 'web-1' }).server('vm-2', { on: 'cmp-2', name: 'web-2' }).server('vm-3', { on: 'cmp-3', name: 'db-1' }).build()));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('prints the actions with -f value and -f csv, under the Waves table\'s column names, waves from 1', async () => {
    const document = JSON.parse((await plan('-f', 'json')).stdout) as { actions: Array<{ wave: number; type: string }> };
    assert.ok(document.actions.length >= 3, 'the plan moves servers and disables hosts');
    assert.equal(Math.min(...document.actions.map((action) => action.wave)), 0, 'the document counts waves from 0');
    const csv = await plan('-f', 'csv');
    assert.equal(csv.status, 0, csv.stderr);
    const [header, ...rows] = csv.stdout.trimEnd().split('\n');
    assert.equal(header, WAVE_COLUMNS.join(','));
    assert.equal(rows.length, document.actions.length);
    assert.deepEqual(rows.map((row) => Number(row.split(',')[0])), document.actions.map((action) => action.wave + 1));
    const value = await plan('-f', 'value');
    assert.equal(value.status, 0, value.stderr);
    assert.equal(value.stdout.trimEnd().split('\n').length, document.actions.length);
    assert.match(value.stdout, /^1 live migrate web-\d cmp-\d cmp-\d /);
    const table = (await plan()).stdout;
    const waves = table.slice(table.indexOf('Waves'));
    assert.match(waves, /\n\| Wave \| Action +\| Server \/ host \| From +\| To +\| Reason +\|\n/);
    assert.match(waves, /\n\| 1 +\| live migrate/);
    assert.doesNotMatch(waves, /\n\| 0 +\|/);
  });

  it('picks columns with -c in every format (json and yaml then list the actions)', async () => {
    const names = (await plan('-f', 'value', '-c', 'Server / host')).stdout.trimEnd().split('\n');
    assert.ok(names.includes('web-1') || names.includes('web-2') || names.includes('db-1'), names.join(' '));
    assert.deepEqual((JSON.parse((await plan('-f', 'json', '-c', 'Wave', '-c', 'Action')).stdout) as object[]).map((row) => Object.keys(row)), names.map(() => ['Wave', 'Action']));
    assert.deepEqual(Object.keys((parseYaml((await plan('-f', 'yaml', '-c', 'To')).stdout) as object[])[0]), ['To']);
    assert.match((await plan('-c', 'Action')).stdout, /^\+-+\+\n\| Action +\|\n\+-+\+\n\| live migrate +\|/);
    assert.equal((await plan('-f', 'csv', '-c', 'Action', '-f', 'csv')).stdout.split('\n')[0], 'Action');
    const wrong = await plan('-c', 'Server');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /no column named "Server"; the columns are: Wave, Action, Server \/ host/);
  });

  it('takes -f and -c before the command too', async () => {
    const run = await runUlm(['-f', 'csv', '-c', 'Wave', 'plan', '--snapshot', file, '--now', '2026-11-22T20:00:00Z'], { keepEnvironment: true });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Wave\n1\n/);
  });

  it('prints the plan as the openstack commands that carry it out, wave by wave', async () => {
    const run = await plan('--commands');
    assert.equal(run.status, 0, run.stderr);
    const document = JSON.parse((await plan('-f', 'json')).stdout) as { actions: Array<{ wave: number; type: string; server: string; destination: string; host: string; reason: string }> };
    assert.equal(run.stdout, planAsCommands(document.actions));
    assert.match(run.stdout, /^# wave 1\n# web-\d cmp-\d -> cmp-\d\nopenstack --os-compute-api-version 2\.30 server migrate --live-migration --host cmp-\d --wait vm-\d\n/);
    const disable = document.actions.find((action) => action.type === 'disable_compute')!;
    assert.ok(run.stdout.includes(`\nopenstack compute service set --disable --disable-reason "${disable.reason}" ${disable.host} nova-compute\n`));
    const lastWave = Math.max(...document.actions.map((action) => action.wave)) + 1;
    assert.match(run.stdout, new RegExp(`\\n# wave ${lastWave}\\n`));
    assert.doesNotMatch(run.stdout, /# wave 0/);
  });
});

describe('a plan as openstack commands', () => {
  it('powers hosts with openstack baremetal only through Ironic, else says so in a comment', () => {
    const actions = [
      { wave: 0, type: 'power_on', host: 'cmp-7', reason: 'restore' },
      { wave: 1, type: 'enable_compute', host: 'cmp-7', reason: 'restore' },
      { wave: 2, type: 'power_off', host: 'cmp-8', reason: 'empty' },
    ];
    assert.equal(planAsCommands(actions, { powerDriver: 'ironic' }), [
      '# wave 1', 'openstack baremetal node power on cmp-7', '',
      '# wave 2', 'openstack compute service set --enable cmp-7 nova-compute', '',
      '# wave 3', 'openstack baremetal node power off cmp-8', '',
    ].join('\n'));
    const withoutIronic = planAsCommands(actions, { powerDriver: 'ipmi' });
    assert.match(withoutIronic, /^# power on cmp-7 through its BMC \(ipmi: not an openstack command\)$/m);
    assert.doesNotMatch(withoutIronic, /baremetal/);
  });

  it('quotes what a shell would read otherwise', () => {
    assert.equal(shellWord('vm-01'), 'vm-01');
    assert.equal(shellWord("db 'main'"), `'db '\\''main'\\'''`);
    assert.match(planAsCommands([{ wave: 0, type: 'disable_compute', host: 'cmp-1', reason: 'ulm: "night" $HOME' }]), /--disable-reason "ulm: \\"night\\" \\\$HOME" cmp-1 nova-compute/);
  });

  it('says when there is nothing to do', () => {
    assert.equal(planAsCommands([]), '# nothing to do: the plan has no actions\n');
  });
});
