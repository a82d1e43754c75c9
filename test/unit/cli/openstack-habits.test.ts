// The CLI keeps the OpenStack client's habits, command by command, against the real ulm-api app
// over the engine double: -f value and -f csv on every command with the columns the table
// shows, -c in every format, the global options before or after the command, tables in the
// client's style, and usage errors as one usage line and the error (exit 2).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { testApi, type TestApi } from '../../support/api.js';
import { runUlm } from '../../support/ulm-in-process.js';

const FORMATS = ['table', 'json', 'yaml', 'value', 'csv'] as const;

/** The header of a client-style table: the names between the first two rules. */
function tableHeader(table: string): string[] {
  const lines = table.split('\n');
  assert.match(lines[0], /^\+(-+\+)+$/, `a rule above the header:\n${table}`);
  assert.match(lines[2], /^\+(-+\+)+$/, `a rule below the header:\n${table}`);
  return lines[1].slice(1, -1).split('|').map((cell) => cell.trim());
}

/** A client-style table has rules above and below the header and at the bottom, none between rows. */
function assertClientTable(table: string): void {
  const lines = table.trimEnd().split('\n');
  const rules = lines.map((line, index) => (/^\+(-+\+)+$/.test(line) ? index : -1)).filter((index) => index >= 0);
  assert.deepEqual(rules, [0, 2, lines.length - 1], `rules only around the header and at the bottom:\n${table}`);
  for (const line of lines) if (!/^\+/.test(line)) assert.match(line, /^\| .* \|$/, `every row between bars: ${line}`);
}

/** The first CSV line split (the CLI quotes fields with commas; none of these have any). */
const csvHeader = (csv: string) => csv.split('\n')[0].split(',').map((name) => name.replace(/^"|"$/g, ''));

describe('the CLI keeps the OpenStack client\'s habits on every command', function () {
  this.timeout(60_000);
  let api: TestApi;
  let url: string;
  let ids: { policy: string; window: string; audit: string; plan: string; snapshot: string };
  const at = () => ['--os-ulm-url', url];

  before(async () => {
    api = testApi({ noauth: true });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    const policy = await api.engine.createPolicy({ name: 'night', document: { goal: 'consolidate' } });
    const window = await api.engine.createWindow({ policy: 'night', window: { name: 'nights', opens: 'daily 20:00', closes: '06:00', timezone: 'UTC' } });
    const made = await api.engine.createAudit({ policy: 'night' });
    ids = { policy: policy.id, window: window.id, audit: made.audit.id, plan: made.action_plan!.id, snapshot: 'snapshot-1' };
  });
  after(() => api.app.close());

  /** Lists (Lister commands): rows with the columns of their table. */
  const lists = (): string[][] => [
    ['policy', 'list'], ['window', 'list'], ['audit', 'list'], ['plan', 'list'], ['host', 'list'], ['host', 'list', '--long'],
    ['server', 'list'], ['snapshot', 'list'], ['host', 'maintenance', 'list'],
  ];
  /** Records (ShowOne commands): a Field/Value table. */
  const records = (): string[][] => [
    ['policy', 'show', 'night'], ['window', 'show', ids.window], ['audit', 'show', ids.audit], ['plan', 'show', ids.plan],
    ['host', 'show', 'cmp-01'], ['server', 'show', 'vm-01'], ['snapshot', 'show', ids.snapshot], ['status'],
  ];

  it('prints every list with -f value and -f csv, with the column names its table shows', async () => {
    for (const command of lists()) {
      const table = await runUlm([...command, ...at()]);
      assert.equal(table.status, 0, `${command.join(' ')}: ${table.stderr}`);
      assertClientTable(table.stdout);
      const columns = tableHeader(table.stdout);
      const csv = await runUlm([...command, '-f', 'csv', ...at()]);
      assert.equal(csv.status, 0, `${command.join(' ')} -f csv: ${csv.stderr}`);
      assert.deepEqual(csvHeader(csv.stdout), columns, `${command.join(' ')}: csv header = table header`);
      const value = await runUlm([...command, '-f', 'value', ...at()]);
      assert.equal(value.status, 0, `${command.join(' ')} -f value: ${value.stderr}`);
      assert.equal(value.stdout.split('\n').filter(Boolean).length, csv.stdout.split('\n').filter(Boolean).length - 1, `${command.join(' ')}: one value line per row`);
      assert.ok(!value.stdout.includes('+--'), `${command.join(' ')} -f value draws no table`);
    }
  });

  it('prints every record with -f value and -f csv, with the field names its table shows', async () => {
    for (const command of records()) {
      const json = await runUlm([...command, '-f', 'json', ...at()]);
      assert.equal(json.status, 0, `${command.join(' ')}: ${json.stderr}`);
      const fields = Object.keys(JSON.parse(json.stdout) as object);
      const csv = await runUlm([...command, '-f', 'csv', ...at()]);
      assert.equal(csv.status, 0, `${command.join(' ')} -f csv: ${csv.stderr}`);
      assert.deepEqual(csvHeader(csv.stdout), fields, command.join(' '));
      const value = await runUlm([...command, '-f', 'value', ...at()]);
      assert.equal(value.status, 0, `${command.join(' ')} -f value: ${value.stderr}`);
      assert.ok(!value.stdout.includes('+--'), `${command.join(' ')} -f value draws no table`);
    }
  });

  it('picks columns with -c in every format, lists and records alike', async () => {
    for (const command of [...lists(), ...records()]) {
      const csv = await runUlm([...command, '-f', 'csv', ...at()]);
      const column = csvHeader(csv.stdout).at(-1)!;
      for (const format of FORMATS) {
        const run = await runUlm([...command, '-f', format, '-c', column, ...at()]);
        const what = `${command.join(' ')} -f ${format} -c "${column}"`;
        assert.equal(run.status, 0, `${what}: ${run.stderr}`);
        if (format === 'json' || format === 'yaml') {
          const parsed = (format === 'json' ? JSON.parse(run.stdout) : parseYaml(run.stdout)) as object | object[];
          for (const row of Array.isArray(parsed) ? parsed : [parsed]) assert.deepEqual(Object.keys(row), [column], what);
        } else if (format === 'csv') {
          assert.deepEqual(csvHeader(run.stdout), [column], what);
        } else if (format === 'table') {
          const isList = lists().some((list) => list.join(' ') === command.join(' '));
          if (isList) assert.deepEqual(tableHeader(run.stdout), [column], what);
          else assert.equal(run.stdout.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Field')).length, 1, `${what}: one field`);
        }
      }
    }
  });

  it('takes the OpenStack, output and debug options before or after the command', async () => {
    const before = await runUlm(['--os-ulm-url', url, '-f', 'value', '-c', 'Name', 'host', 'list']);
    assert.equal(before.status, 0, before.stderr);
    assert.equal(before.stdout, 'cmp-01\ncmp-02\ncmp-03\ncmp-04\n');
    const after = await runUlm(['host', 'list', '-c', 'Name', '-f', 'value', '--os-ulm-url', url]);
    assert.equal(after.stdout, before.stdout);
    const mixed = await runUlm(['-f', 'csv', 'host', 'list', '--os-ulm-url', url, '-c', 'Name', '--sort-column', 'Name']);
    assert.equal(mixed.stdout, 'Name\ncmp-01\ncmp-02\ncmp-03\ncmp-04\n');
    const debug = await runUlm(['--debug', '--os-ulm-url', url, 'policy', 'list', '-f', 'value', '-c', 'Name']);
    assert.equal(debug.stdout, 'night\n');
    assert.match(debug.stderr, /DEBUG GET .*\/v1\/policies -> 200/);
  });

  it('lists the OpenStack options in ulm --help', async () => {
    const help = await runUlm(['--help']);
    assert.equal(help.status, 0);
    for (const flag of ['--os-cloud', '--os-auth-url', '--os-username', '--os-password', '--os-project-name', '--os-project-domain-name',
      '--os-user-domain-name', '--os-region-name', '--os-interface', '--os-token', '--os-auth-type', '--os-ulm-url', '--os-cacert', '--insecure',
      '--debug', '--format', '--column']) {
      assert.match(help.stdout, new RegExp(`${flag}\\b`), flag);
    }
  });

  it('answers a usage error with one usage line and the error, exit 2', async () => {
    const cases: Array<[args: string[], usage: RegExp, error: RegExp]> = [
      [['host', 'list', '--bogus'], /^usage: ulm host list \[options\]$/, /unknown option '--bogus'/],
      [['host', 'lst'], /^usage: ulm host \[options\] \[command\]$/, /unknown command 'lst'/],
      [['host'], /^usage: ulm host /, /a command is needed: ulm host list, ulm host show/],
      [['host', 'show'], /^usage: ulm host show \[options\] <host>$/, /missing required argument 'host'/],
      [['-f', 'xml', 'host', 'list'], /^usage: ulm /, /argument 'xml' is invalid/],
      [[], /^usage: ulm \[options\] \[command\]$/, /a command is needed/],
      [['plan'], /^usage: ulm plan \[options\]/, /give --snapshot FILE to plan offline, or a command: ulm plan list, /],
    ];
    for (const [args, usage, error] of cases) {
      const run = await runUlm([...args, ...at()]);
      assert.equal(run.status, 2, `ulm ${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, `ulm ${args.join(' ')}: one usage line and the error, not the help:\n${run.stderr}`);
      assert.match(lines[0], usage);
      assert.match(lines[1], error);
    }
  });

  it('shows a server by name or id: host, flavor, exemptions, server group, last live migration', async () => {
    const byName = await runUlm(['server', 'show', 'vm-03', '-f', 'json', ...at()]);
    assert.equal(byName.status, 0, byName.stderr);
    const record = JSON.parse(byName.stdout) as Record<string, unknown>;
    assert.equal(record.host, 'cmp-03');
    assert.deepEqual(Object.keys(record), ['id', 'name', 'host', 'flavor', 'vcpus', 'memory_mb', 'cpu_usage', 'memory_usage_mb', 'migratable', 'never_move', 'exemptions', 'server_group', 'last_migrated_at']);
    const byId = await runUlm(['server', 'show', String(record.id), '-f', 'value', '-c', 'name', ...at()]);
    assert.equal(byId.stdout, 'vm-03\n');
    const missing = await runUlm(['server', 'show', 'vm-99', ...at()]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no server "vm-99"/);
  });

  it('numbers waves from 1 in plan show, as in ulm plan and --commands', async () => {
    const table = (await runUlm(['plan', 'show', ids.plan, ...at()])).stdout;
    const waves = table.slice(table.indexOf('Waves'));
    assert.match(waves, /\| 2 +\| live migrate/);
    const commands = (await runUlm(['plan', 'show', ids.plan, '--commands', ...at()])).stdout;
    assert.match(commands, /^# wave 2\n# vm-03 cmp-03 -> cmp-01\nopenstack --os-compute-api-version 2\.30 server migrate --live-migration --host cmp-01 --wait 1f0c3b58-\S+$/m);
    assert.match(commands, /^# wave 3\nopenstack compute service set --disable --disable-reason "ulm: consolidated" cmp-03 nova-compute$/m);
  });
});
