// Shell completion comes from the registered commands: the scripts are valid shell, and the bash
// one completes nouns, verbs, options and option values as an operator would press Tab.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bashCompletion, completionEntries, zshCompletion } from '../../../cli/completion.js';
import type { Command } from 'commander';
import { buildProgram } from '../../../cli/main.js';

/** What bash offers after typing `words` (the last one being completed). */
function complete(script: string, words: string[]): string[] {
  const array = words.map((word) => `'${word}'`).join(' ');
  const run = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _ulm_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter(Boolean).sort();
}

describe('shell completion', () => {
  let program: Command;
  let bash: string;
  before(async () => {
    program = await buildProgram();
    bash = bashCompletion(program);
  });

  it('knows every registered command and its options, hidden OpenStack ones included', () => {
    const entries = new Map(completionEntries(program).map((entry) => [entry.path, entry]));
    assert.ok(entries.has('host drain') && entries.has('plan start') && entries.has('server set') && entries.has('snapshot save'));
    const drain = entries.get('host drain')!;
    for (const flag of ['--dry-run', '--wait', '-f', '--format', '--os-cloud', '--os-ulm-url', '--direct']) assert.ok(drain.flags.includes(flag), flag);
    assert.deepEqual(drain.values['--format'], ['table', 'json', 'yaml', 'value', 'csv']);
    assert.equal(entries.get('')!.subcommands.includes('host'), true);
  });

  it('writes a bash script that bash accepts', () => {
    const run = spawnSync('bash', ['-n'], { input: bash, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  });

  it('completes nouns, verbs, options and option values in bash', () => {
    assert.deepEqual(complete(bash, ['ulm', 'ho']), ['host']);
    assert.deepEqual(complete(bash, ['ulm', 'host', '']), ['--help', 'drain', 'list', 'maintenance', 'show', 'undrain']);
    assert.deepEqual(complete(bash, ['ulm', 'host', 'drain', '--d']), ['--debug', '--direct', '--dry-run']);
    assert.deepEqual(complete(bash, ['ulm', 'plan', 'list', '-f', 'y']), ['yaml']);
    assert.deepEqual(complete(bash, ['ulm', '--debug', 'plan', 'st']), ['start']);
  });

  it('writes a zsh script that zsh accepts', function () {
    if (!existsSync('/usr/bin/zsh') && !existsSync('/bin/zsh')) this.skip();
    const run = spawnSync('zsh', ['-n'], { input: zshCompletion(program), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  });

  it('prints the scripts from `ulm completion bash|zsh`', () => {
    assert.match(zshCompletion(program), /^#compdef ulm\n/);
    assert.match(bash, /complete -F _ulm_complete ulm\n$/);
  });
});
