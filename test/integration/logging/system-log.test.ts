// use_syslog and use_journal through the real tools: util-linux logger(1) and systemd's
// systemd-cat, each writing to the socket its daemon would listen on (/dev/log, the journal's
// stream socket), which this test listens on itself when no daemon does (test machines run none;
// scripts/integration installs the tools when missing).
// Each line arrives with its program, pid and priority; without the daemon, lines go to standard
// error with one line saying why. Needs root to create the sockets; /usr/bin/python3 listens.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, type ConfigOverrides, type Environment } from '../../../services/config/index.js';
import { closeServiceLogger, createServiceLogger } from '../../../services/logging.js';

const operator: Environment = { env: {}, homedir: '/home/operator', hostname: 'controller-1' };
const config = (overrides: ConfigOverrides['DEFAULT']) => loadConfig([], { DEFAULT: overrides }, { environment: operator });

const SYSLOG_SOCKET = '/dev/log';
const JOURNAL_SOCKET = '/run/systemd/journal/stdout';

/** A daemon's socket, listened on by Python (Node has no UNIX datagram sockets): prints what arrives. */
const LISTENER = String.raw`
import os, socket, sys
kind, path = sys.argv[1], sys.argv[2]
server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM if kind == 'datagram' else socket.SOCK_STREAM)
server.bind(path)
os.chmod(path, 0o666)
if kind == 'stream':
    server.listen(4)
print('ready', flush=True)
while True:
    if kind == 'datagram':
        sys.stdout.write(server.recv(65536).decode() + '\n')
    else:
        connection, _ = server.accept()
        with connection:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                sys.stdout.write(chunk.decode())
    sys.stdout.flush()
`;

interface Listener { output(): string; stop(): void }

async function listen(kind: 'datagram' | 'stream', path: string): Promise<Listener> {
  const createdDirectory = !existsSync(dirname(path));
  mkdirSync(dirname(path), { recursive: true });
  const child: ChildProcess = spawn('/usr/bin/python3', ['-c', LISTENER, kind, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the listener on ${path} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString(); if (text.startsWith('ready\n')) resolve(); });
  });
  return {
    output: () => text.slice('ready\n'.length),
    stop() {
      child.kill();
      rmSync(path, { force: true });
      if (createdDirectory) rmSync(dirname(path), { recursive: true, force: true });
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > 10_000) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('logging to the system log', function () {
  this.timeout(30_000);
  before(function () {
    // A machine with its own syslog or journal daemon keeps it: nothing here replaces a socket.
    if (process.getuid?.() !== 0 || existsSync(SYSLOG_SOCKET) || existsSync(JOURNAL_SOCKET)) this.skip();
  });

  it('use_syslog hands every line to syslog through logger(1), with the program, the pid and the facility and severity', async () => {
    const daemon = await listen('datagram', SYSLOG_SOCKET);
    try {
      const logger = createServiceLogger(config({ use_syslog: true, syslog_log_facility: 'LOG_LOCAL3' }), { program: 'ulm-applier' });
      logger.info({ plan: 'p-1' }, 'action plan started');
      logger.error('live migration failed');
      await closeServiceLogger(logger);
      await until(() => daemon.output().split('\n').filter(Boolean).length >= 2, 'two syslog records');
      const [info, error] = daemon.output().split('\n').filter(Boolean);
      // LOG_LOCAL3 is facility 19: 19 × 8 + 6 (informational), 19 × 8 + 3 (error).
      assert.match(info, new RegExp(`^<158>.* ulm-applier\\[${process.pid}\\]: \\S+ \\S+ ${process.pid} INFO ulm\\.applier \\[-\\] action plan started plan=p-1$`));
      assert.match(error, new RegExp(`^<155>.* ulm-applier\\[${process.pid}\\]: .* ERROR ulm\\.applier \\[-\\] live migration failed$`));
    } finally {
      daemon.stop();
    }
  });

  it('use_journal hands every line to the journal through systemd-cat, with its identifier and priority', async () => {
    const journal = await listen('stream', JOURNAL_SOCKET);
    try {
      const logger = createServiceLogger(config({ use_journal: true }), { program: 'ulm-scheduler' });
      logger.warn('window nightly closes in 5 minutes');
      logger.info('window nightly closed');
      await closeServiceLogger(logger);
      await until(() => /window nightly closed\n/.test(journal.output()), 'the journal stream');
      // systemd-cat's stream header (identifier first, level prefixes on), then each line with its priority.
      const [identifier, , , levelPrefix] = journal.output().split('\n');
      assert.equal(identifier, 'ulm-scheduler');
      assert.equal(levelPrefix, '1');
      assert.match(journal.output(), /\n<4>\S+ \S+ \d+ WARNING ulm\.scheduler \[-\] window nightly closes in 5 minutes\n<6>\S+ \S+ \d+ INFO ulm\.scheduler \[-\] window nightly closed\n/);
    } finally {
      journal.stop();
    }
  });

  it('without a syslog daemon, writes every line to standard error, the first included, and says once why (logger(1) alone would drop them)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      const { loadConfig } = await import(${JSON.stringify(new URL('../../../services/config/index.ts', import.meta.url).href)});
      const { createServiceLogger, closeServiceLogger } = await import(${JSON.stringify(new URL('../../../services/logging.ts', import.meta.url).href)});
      const logger = createServiceLogger(loadConfig([], { DEFAULT: { use_syslog: true } }), { program: 'ulm-api' });
      logger.info('listening');
      await closeServiceLogger(logger);
    `], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    await new Promise((resolve) => child.once('exit', resolve));
    assert.match(stderr, /^ulm: cannot log through logger \(no daemon listens on \/dev\/log\); logging to standard error$/m);
    assert.match(stderr, /INFO ulm\.api \[-\] listening/);
    assert.equal(stderr.match(/cannot log through/g)?.length, 1);
  });
});
