// A stand-in for ipmitool in the unit tier: a shell script that records its arguments and environment, keeps a power state in a file, and fails on demand.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `#!/bin/sh
dir=$(dirname "$0")
printf '%s\\n' "$*" >> "$dir/calls"
env | sort > "$dir/last-environment"
if [ -f "$dir/fail" ]; then cat "$dir/fail" >&2; exit 1; fi
for last in "$@"; do :; done
case "$last" in
  status)
    if [ -f "$dir/countdown" ]; then
      left=$(cat "$dir/countdown")
      if [ "$left" -gt 0 ]; then echo $((left - 1)) > "$dir/countdown"; else cp "$dir/target" "$dir/power"; rm "$dir/countdown"; fi
    fi
    echo "Chassis Power is $(cat "$dir/power")" ;;
  on|off|soft)
    [ "$last" = soft ] && last=off
    echo "$last" > "$dir/target"
    cat "$dir/delay" > "$dir/countdown"
    [ "$last" = on ] && echo "Chassis Power Control: Up/On" || echo "Chassis Power Control: Down/Off" ;;
esac
`;

export interface FakeIpmitool {
  command: string;
  /** Each run's arguments, one string per run. */
  calls(): string[];
  /** The environment of the last run, as NAME=value lines. */
  lastEnvironment(): string[];
  setPower(state: 'on' | 'off'): void;
  power(): string;
  /** Status reads before a power change shows. */
  setDelay(reads: number): void;
  /** Makes every run fail, printing `stderr`. */
  failWith(stderr: string | undefined): void;
  remove(): void;
}

export function fakeIpmitool(): FakeIpmitool {
  const directory = mkdtempSync(join(tmpdir(), 'ulm-fake-ipmitool-'));
  const command = join(directory, 'ipmitool');
  writeFileSync(command, SCRIPT);
  chmodSync(command, 0o700);
  writeFileSync(join(directory, 'power'), 'on\n');
  writeFileSync(join(directory, 'delay'), '0\n');
  const read = (name: string) => (existsSync(join(directory, name)) ? readFileSync(join(directory, name), 'utf8') : '');
  return {
    command,
    calls: () => read('calls').split('\n').filter(Boolean),
    lastEnvironment: () => read('last-environment').split('\n').filter(Boolean),
    setPower: (state) => writeFileSync(join(directory, 'power'), `${state}\n`),
    power: () => read('power').trim(),
    setDelay: (reads) => writeFileSync(join(directory, 'delay'), `${reads}\n`),
    failWith: (stderr) => (stderr === undefined ? rmSync(join(directory, 'fail'), { force: true }) : writeFileSync(join(directory, 'fail'), stderr)),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
