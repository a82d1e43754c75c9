// Tests of error messages for bad snapshots, policies, JSON and CLI use.
// Every error names the JSON path of the offending field and what is expected there; malformed
// JSON names the line and column; the CLI exits 2 with the message and no stack trace.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePolicy } from '../../../core/policy/schema.js';
import { parseJson, readSnapshot, snapshotPolicy } from '../../../core/snapshot/read.js';
import { ValidationError } from '../../../core/validation.js';
import { snapshot } from '../../support/builders.js';
import { ulm } from '../../support/cli.js';
import { planFor } from '../../support/planning.js';

/** A valid snapshot as plain JSON, for a test to break. */
function goodSnapshot(): Record<string, unknown> {
  return snapshot().hosts(['cmp-1', 'cmp-2']).server('vm-1', { on: 'cmp-1' }).server('vm-2', { on: 'cmp-2' })
    .group('web', 'anti-affinity', ['vm-1']).raw() as unknown as Record<string, unknown>;
}

/** Walks `hosts[1].vcpus` to the object holding the last key; returns it and the key. */
function parentOf(value: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node = value;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  return [node, keys[keys.length - 1]];
}

/** A change that sets the field at `path` (e.g. `hosts[1].vcpus`) to `field`. */
function setting(path: string, field: unknown): (value: Record<string, unknown>) => void {
  return (value) => {
    const [parent, key] = parentOf(value, path);
    parent[key] = field;
  };
}

/** A change that removes the field at `path`. */
function removing(path: string): (value: Record<string, unknown>) => void {
  return (value) => {
    const [parent, key] = parentOf(value, path);
    delete parent[key];
  };
}

/** Runs `action`, expects a ValidationError, and returns its message. */
function validationMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${(error as Error).stack}`);
    return error.message;
  }
  assert.fail('no error');
}

describe('error messages', () => {
  describe('bad snapshots name the field and what is expected', () => {
    const cases: { what: string; change: (value: Record<string, unknown>) => void; message: RegExp }[] = [
      { what: 'a host total that is not a number', change: setting('hosts[1].vcpus', 'eight'), message: /hosts\[1\]\.vcpus: expected an integer >= 1, got "eight"/ },
      { what: 'a missing host total', change: removing('hosts[1].memory_mb'), message: /hosts\[1\]\.memory_mb: is required: expected an integer >= 1/ },
      { what: 'a host with zero vCPUs', change: setting('hosts[0].vcpus', 0), message: /hosts\[0\]\.vcpus: expected an integer >= 1, got 0/ },
      { what: 'a negative reserved amount', change: setting('hosts[0].reserved_memory_mb', -5), message: /hosts\[0\]\.reserved_memory_mb: expected an integer >= 0, got -5/ },
      { what: 'an allocation ratio written as a string', change: setting('hosts[0].vcpu_allocation_ratio', '4.0'), message: /hosts\[0\]\.vcpu_allocation_ratio: expected a number >= 0, got "4.0"/ },
      { what: '"enabled" that is not a boolean', change: setting('hosts[0].enabled', 'yes'), message: /hosts\[0\]\.enabled: expected true or false, got "yes"/ },
      { what: 'two hosts with one name', change: setting('hosts[1].name', 'cmp-1'), message: /hosts\[1\]\.name: "cmp-1" is used by another host; host names must be unique/ },
      { what: 'a server on an unknown host', change: setting('servers[0].host', 'cmp-9'), message: /servers\[0\]\.host: "cmp-9" is not one of the snapshot's hosts/ },
      { what: 'two servers with one id', change: setting('servers[1].id', 'vm-1'), message: /servers\[1\]\.id: "vm-1" is used by another server; ids must be unique/ },
      { what: 'a negative flavor amount', change: setting('servers[1].flavor.memory_mb', -1), message: /servers\[1\]\.flavor\.memory_mb: expected an integer >= 0, got -1/ },
      { what: 'a server without "migratable"', change: removing('servers[0].migratable'), message: /servers\[0\]\.migratable: is required: expected true or false/ },
      { what: 'a server in an unknown server group', change: setting('servers[1].server_group', 'db'), message: /servers\[1\]\.server_group: "db" is not in server_groups/ },
      { what: 'a misspelt group policy', change: setting('server_groups[0].policy', 'anti_affinity'), message: /server_groups\[0\]\.policy: expected one of "anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity", got "anti_affinity"/ },
      { what: 'max_server_per_host 0', change: setting('server_groups[0].rules', { max_server_per_host: 0 }), message: /server_groups\[0\]\.rules\.max_server_per_host: expected an integer >= 1, got 0/ },
      { what: 'a target naming an unknown server', change: setting('target', { 'vm-9': 'cmp-1' }), message: /target\.vm-9: is not a server of the snapshot/ },
      { what: 'a target naming an unknown host', change: setting('target', { 'vm-1': 'cmp-9' }), message: /target\.vm-1: "cmp-9" is not one of the snapshot's hosts/ },
      { what: 'usage series on some servers only', change: setting('servers[0].series', { step_s: 600, cpu_cores: [1], memory_mb: [512] }), message: /servers: usage series on 1 of 2 servers/ },
      { what: 'another format version', change: setting('format', 'ulm-cluster/2'), message: /format: expected "ulm-cluster\/1", got "ulm-cluster\/2"/ },
      { what: 'no hosts', change: setting('hosts', []), message: /hosts: expected a non-empty array/ },
      // FORMAT.md: "Placement amounts (flavor fields, host totals, reserved amounts) are integers."
      { what: 'a fractional Placement amount', change: setting('hosts[1].vcpus', 7.5), message: /hosts\[1\]\.vcpus: expected an integer >= 1, got 7\.5/ },
    ];
    for (const { what, change, message } of cases) {
      it(`${what}`, () => {
        const value = goodSnapshot();
        change(value);
        assert.match(validationMessage(() => readSnapshot(value)), message);
      });
    }

    it('the snapshot the cases break is valid as it is', () => {
      assert.doesNotThrow(() => readSnapshot(goodSnapshot()));
    });

    it('every problem is listed, not only the first', () => {
      const value = goodSnapshot();
      setting('hosts[0].vcpus', -1)(value);
      setting('servers[1].flavor.vcpus', 'two')(value);
      const message = validationMessage(() => readSnapshot(value));
      assert.match(message, /hosts\[0\]\.vcpus: expected an integer >= 1, got -1/);
      assert.match(message, /servers\[1\]\.flavor\.vcpus: expected an integer >= 0, got "two"/);
    });

    it('a snapshot that is not an object says what a snapshot is', () => {
      assert.match(validationMessage(() => readSnapshot([goodSnapshot()])), /expected a JSON object with "format": "ulm-cluster\/1"/);
    });
  });

  describe('bad policies name the field and what is expected', () => {
    const cases: { what: string; policy: Record<string, unknown>; message: RegExp }[] = [
      { what: 'a usage limit above 1', policy: { goal: 'consolidate', max_host_cpu: 1.5 }, message: /policy\.max_host_cpu: expected a number > 0 and <= 1, got 1\.5/ },
      { what: 'an unknown goal', policy: { goal: 'pack' }, message: /policy\.goal: expected one of "consolidate", "balance", "drain", "reach_target", got "pack"/ },
      { what: 'no goal', policy: {}, message: /policy\.goal: is required/ },
      { what: 'drain without drain_hosts', policy: { goal: 'drain' }, message: /policy\.drain_hosts: is required for goal "drain"/ },
      { what: 'an unknown IANA time zone in a window', policy: { goal: 'consolidate', exemptions: [{ servers: ['vm-1'], not_during: [{ start: '08:00', end: '18:00', timezone: 'Mars/Olympus' }] }] }, message: /policy\.exemptions\[0\]\.not_during\[0\]\.timezone: "Mars\/Olympus" is not an IANA time zone/ },
      { what: 'a window start that is not a time', policy: { goal: 'consolidate', exemptions: [{ servers: ['vm-1'], not_during: [{ start: '25:00', end: '18:00' }] }] }, message: /policy\.exemptions\[0\]\.not_during\[0\]\.start: expected a time \(HH:MM\), got "25:00"/ },
      { what: 'a day written in full', policy: { goal: 'consolidate', exemptions: [{ servers: ['vm-1'], not_during: [{ days: ['monday'], start: '08:00', end: '18:00' }] }] }, message: /policy\.exemptions\[0\]\.not_during\[0\]\.days\[0\]: expected one of "mon"/ },
      { what: 'an exemption that matches no server', policy: { goal: 'consolidate', exemptions: [{ name: 'freeze' }] }, message: /policy\.exemptions\[0\]: matches no server: give servers, metadata or tags/ },
      { what: 'a misspelt field', policy: { goal: 'consolidate', max_cpu: 0.5 }, message: /policy\.max_cpu: is not a known field; remove it or check its spelling/ },
      { what: 'max_parallel_migrations 0', policy: { goal: 'consolidate', max_parallel_migrations: 0 }, message: /policy\.max_parallel_migrations: expected an integer >= 1 or null, got 0/ },
      { what: 'a disabled_reason outside the ulm namespace', policy: { goal: 'consolidate', disabled_reason: 'maintenance' }, message: /policy\.disabled_reason: expected a string starting with "ulm: ", got "maintenance"/ },
    ];
    for (const { what, policy, message } of cases) {
      it(`${what}`, () => {
        assert.match(validationMessage(() => validatePolicy(policy)), message);
      });
    }

    it('a snapshot\'s embedded policy is checked with the same paths', () => {
      const value = goodSnapshot();
      setting('policy', { goal: 'consolidate', max_host_memory: 2 })(value);
      assert.match(validationMessage(() => snapshotPolicy(readSnapshot(value))), /policy\.max_host_memory: expected a number > 0 and <= 1, got 2/);
    });

    it('a snapshot without a policy says how to give one', () => {
      const value = goodSnapshot();
      removing('policy')(value);
      assert.match(validationMessage(() => snapshotPolicy(readSnapshot(value))), /policy: is required/);
    });

    it('an embedded policy from a newer writer may carry fields this version does not know', () => {
      const value = goodSnapshot();
      setting('policy', { goal: 'consolidate', max_host_cpu: 0.8, carbon_budget_kg: 12 })(value);
      assert.equal(snapshotPolicy(readSnapshot(value)).max_host_cpu, 0.8);
    });

    it('drain hosts that are not in the snapshot are named when planning', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1', 'cmp-9'] }).host('cmp-1').build();
      assert.match(validationMessage(() => planFor(cluster)), /policy\.drain_hosts\[1\]: "cmp-9" is not one of the snapshot's hosts/);
    });

    it('reach_target without a target says what the target is', () => {
      const cluster = snapshot().policy({ goal: 'reach_target' }).host('cmp-1').build();
      assert.match(validationMessage(() => planFor(cluster)), /target: is required for goal "reach_target"/);
    });
  });

  describe('malformed JSON names the line and column', () => {
    const cases: { what: string; text: string; where: RegExp }[] = [
      { what: 'a comma before a closing brace', text: '{\n  "format": "ulm-cluster/1",\n}\n', where: /line 3, column 1/ },
      { what: 'a stray comma in a list', text: '{\n  "format": "ulm-cluster/1",\n  "hosts": [,]\n}\n', where: /line 3, column 13/ },
      { what: 'a misspelt literal', text: '{\n  "format": "ulm-cluster/1",\n  "enabled": ture\n}\n', where: /line 3, column 1[45]/ },
      { what: 'a file cut short', text: '{\n  "format": "ulm-cluster/1",\n  "hosts": [\n', where: /line 4, column 1/ },
    ];
    for (const { what, text, where } of cases) {
      it(`${what}`, () => {
        const message = validationMessage(() => parseJson(text, 'snapshot cluster.json'));
        assert.match(message, /snapshot cluster\.json is not valid JSON/);
        assert.match(message, where);
      });
    }
  });

  describe('the CLI', () => {
    let dir: string;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'ulm-errors-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const expectUsageError = (args: string[], message: RegExp) => {
      const result = ulm(args);
      assert.equal(result.status, 2, `exit ${result.status}; stderr: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace');
      assert.equal(result.stdout, '');
    };

    it('ulm plan --snapshot bad.json exits 2 and names the field on stderr', () => {
      const value = goodSnapshot();
      setting('hosts[1].vcpus', 'eight')(value);
      expectUsageError(['plan', '--snapshot', file('bad.json', JSON.stringify(value))], /^ulm: invalid snapshot:\n {2}hosts\[1\]\.vcpus: expected an integer >= 1, got "eight"/);
    });

    it('ulm plan --snapshot on malformed JSON exits 2 and names the file, line and column', () => {
      expectUsageError(['plan', '--snapshot', file('broken.json', '{\n  "format": "ulm-cluster/1",\n}\n')], /broken\.json is not valid JSON:[\s\S]*line 3, column 1/);
    });

    it('ulm plan --policy with a bad policy file exits 2 and names the field', () => {
      const cluster = file('good.json', JSON.stringify(goodSnapshot()));
      expectUsageError(['plan', '--snapshot', cluster, '--policy', file('night.yaml', 'goal: consolidate\nmax_host_cpu: 1.5\n')], /policy\.max_host_cpu: expected a number > 0 and <= 1, got 1\.5/);
    });

    it('ulm plan with drain hosts the snapshot does not have exits 2 and names them', () => {
      const cluster = file('good.json', JSON.stringify(goodSnapshot()));
      expectUsageError(['plan', '--snapshot', cluster, '--policy', file('drain.yaml', 'goal: drain\ndrain_hosts: [cmp-9]\n')], /policy\.drain_hosts\[0\]: "cmp-9" is not one of the snapshot's hosts/);
    });

    it('ulm plan --snapshot on a missing file exits 2 and says so', () => {
      expectUsageError(['plan', '--snapshot', join(dir, 'nowhere.json')], /nowhere\.json: no such file/);
    });

    it('ulm plan --now with something that is not an instant exits 2 and shows the expected form', () => {
      const cluster = file('good.json', JSON.stringify(goodSnapshot()));
      expectUsageError(['plan', '--snapshot', cluster, '--now', 'tonight'], /--now: "tonight" is not an ISO 8601 instant/);
    });
  });
});
