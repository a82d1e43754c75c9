// ulm's log lines as OpenStack services write them (oslo.log's text line and JSON object), the
// levels that decide what is written (debug, log_level, default_log_levels), the file oslo.log
// would write, and that no secret reaches any line, at debug level too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatJson, formatText, namedLevels } from '../../../openstack/log-format.js';
import { loadConfig, type ConfigOverrides, type Environment } from '../../../services/config/index.js';
import { closeServiceLogger, createServiceLogger, logFilePath } from '../../../services/logging.js';

const operator: Environment = { env: {}, homedir: '/home/operator', hostname: 'controller-1' };
const config = (overrides: ConfigOverrides['DEFAULT'] = {}) => loadConfig([], { DEFAULT: overrides }, { environment: operator });
// Local time, as oslo.log writes it.
const AT = new Date(2026, 11, 6, 7, 13, 9, 123).getTime();

function captured() {
  const lines: string[] = [];
  return { lines, stream: { write: (text: string) => { lines.push(...text.split('\n').filter(Boolean)); } } };
}

describe('log lines', () => {
  describe('oslo.log\'s text line', () => {
    it('writes time, pid, level, logger and "[-]" outside a request, then key=value extras', () => {
      assert.equal(
        formatText({ level: 30, time: AT, name: 'ulm.applier', msg: 'wave 2 started', plan: 'p-1', migrations: 3, reason: 'empty cmp-02' }, { pid: 4711 }),
        '2026-12-06 07:13:09.123 4711 INFO ulm.applier [-] wave 2 started plan=p-1 migrations=3 reason="empty cmp-02"\n',
      );
    });

    it('writes the request id, user and project of a request, "-" for what is unknown', () => {
      assert.equal(
        formatText({ level: 40, time: AT, name: 'ulm.api', msg: 'plan refused', request_id: 'req-6d1c', user_id: 'u-1', project_id: 'p-9' }, { pid: 1 }),
        '2026-12-06 07:13:09.123 1 WARNING ulm.api [req-6d1c u-1 p-9] plan refused\n',
      );
      assert.match(formatText({ level: 20, time: AT, msg: 'GET', request_id: 'req-1' }, { pid: 1, name: 'ulm.monitor' }), / DEBUG ulm\.monitor \[req-1 - -\] GET\n$/);
    });

    it('names levels as oslo does and puts an error\'s stack on lines of their own', () => {
      const error = new Error('Nova answered 503');
      const text = formatText({ level: 50, time: AT, name: 'ulm.applier', msg: 'live migration failed', err: { type: 'Error', message: error.message, stack: error.stack } }, { pid: 7 });
      const [first, second] = text.split('\n');
      assert.equal(first, '2026-12-06 07:13:09.123 7 ERROR ulm.applier [-] live migration failed: Nova answered 503');
      assert.match(second, /^2026-12-06 07:13:09\.123 7 ERROR ulm\.applier at /);
      assert.match(formatText({ level: 60, time: AT, msg: 'x' }, { pid: 7 }), / CRITICAL ulm \[-\] x/);
    });
  });

  describe('oslo.log\'s JSON (use_json)', () => {
    it('writes one object a line with the fields of oslo.log\'s JSONFormatter', () => {
      const line = formatJson({ level: 30, time: AT, name: 'ulm.scheduler', msg: 'window opened', request_id: 'req-2', window: 'nightly' }, { pid: 4711 });
      assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'));
      const record = JSON.parse(line) as Record<string, unknown>;
      assert.equal(record.asctime, '2026-12-06 07:13:09.123');
      assert.equal(record.timestamp, new Date(AT).toISOString());
      assert.equal(record.levelname, 'INFO');
      assert.equal(record.levelno, 20);
      assert.equal(record.name, 'ulm.scheduler');
      assert.equal(record.process, 4711);
      assert.equal(record.message, 'window opened');
      assert.deepEqual(record.context, { request_id: 'req-2', global_request_id: null, user: null, project: null });
      assert.deepEqual(record.extra, { window: 'nightly' });
    });
  });

  describe('levels', () => {
    it('gives a logger the level of the longest configured name that prefixes it at a dot', () => {
      const levels = namedLevels(['ulm.openstack=WARN', 'ulm.openstack.http=DEBUG', 'amqplib=ERROR'], 30);
      assert.equal(levels.threshold('ulm.openstack.nova'), 40);
      assert.equal(levels.threshold('ulm.openstack.http'), 20);
      assert.equal(levels.threshold('ulm.openstacker'), 30);
      assert.equal(levels.threshold('ulm.applier'), 30);
      assert.equal(levels.lowest, 20);
    });

    it('writes debug records only with debug = true, and follows default_log_levels per logger', async () => {
      const quiet = captured();
      const logger = createServiceLogger(config({ default_log_levels: ['ulm.applier.nova=WARN', 'ulm.applier.journal=DEBUG'] }), { program: 'ulm-applier', stderr: quiet.stream });
      logger.debug('not written');
      logger.info('written');
      logger.child({ name: 'ulm.applier.nova' }).info('not written either');
      logger.child({ name: 'ulm.applier.nova' }).warn('nova is slow');
      logger.child({ name: 'ulm.applier.journal' }).debug('journal row');
      await closeServiceLogger(logger);
      assert.deepEqual(quiet.lines.map((line) => line.replace(/^\S+ \S+ \d+ /, '')), [
        'INFO ulm.applier [-] written',
        'WARNING ulm.applier.nova [-] nova is slow',
        'DEBUG ulm.applier.journal [-] journal row',
      ]);

      const verbose = captured();
      const debugLogger = createServiceLogger(config({ debug: true }), { program: 'ulm-applier', stderr: verbose.stream });
      debugLogger.debug('now written');
      assert.match(verbose.lines[0], / DEBUG ulm\.applier \[-\] now written$/);
      const warningLogger = createServiceLogger(config({ log_level: 'warning' }), { program: 'ulm-applier', stderr: verbose.stream });
      warningLogger.info('dropped');
      assert.equal(verbose.lines.length, 1);
    });

    it('writes JSON with use_json, but human lines on a terminal', () => {
      const json = captured();
      createServiceLogger(config({ use_json: true }), { program: 'ulm-monitor', stderr: json.stream }).info('collected');
      assert.equal((JSON.parse(json.lines[0]) as { message: string }).message, 'collected');
      const terminal = captured();
      createServiceLogger(config({ use_json: true }), { program: 'ulm-monitor', stderr: terminal.stream, terminal: true }).info('collected');
      assert.match(terminal.lines[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ INFO ulm\.monitor \[-\] collected$/);
    });
  });

  describe('the log file', () => {
    let directory: string;
    beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-log-')); });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('is log_dir/PROGRAM.log, or log_file (in log_dir when relative), as oslo.log names it', () => {
      assert.equal(logFilePath(config({ log_dir: '/var/log/ulm' }), 'ulm-applier'), '/var/log/ulm/ulm-applier.log');
      assert.equal(logFilePath(config({ log_dir: '/var/log/ulm', log_file: 'ulm.log' }), 'ulm-applier'), '/var/log/ulm/ulm.log');
      assert.equal(logFilePath(config({ log_dir: '/var/log/ulm', log_file: '/srv/ulm.log' }), 'ulm-applier'), '/srv/ulm.log');
      assert.equal(logFilePath(config(), 'ulm-applier'), undefined);
    });

    it('receives the lines, creating log_dir', async () => {
      const logger = createServiceLogger(config({ log_dir: join(directory, 'log') }), { program: 'ulm-scheduler' });
      logger.info({ window: 'nightly' }, 'window opened');
      await closeServiceLogger(logger);
      assert.match(readFileSync(join(directory, 'log', 'ulm-scheduler.log'), 'utf8'), /^\S+ \S+ \d+ INFO ulm\.scheduler \[-\] window opened window=nightly\n$/);
    });
  });

  describe('secrets', () => {
    const SECRETS = ['hunter2', 'gAAAAABlT0k3nV4lu3', 'rabbitpass', 'dbpass', 'bmc-pass', 'cred-secret'];

    for (const format of ['text', 'json'] as const) {
      it(`never appear in a ${format} line at debug level, whatever a caller logs`, () => {
        const out = captured();
        const logger = createServiceLogger(config({ debug: true, use_json: format === 'json' }), { program: 'ulm-api', stderr: out.stream });
        logger.debug({ auth: { password: 'hunter2', application_credential_secret: 'cred-secret' }, headers: { 'X-Auth-Token': 'gAAAAABlT0k3nV4lu3', Accept: 'application/json' } }, 'POST /v3/auth/tokens');
        logger.debug({ transport_url: 'rabbit://ulm:rabbitpass@127.0.0.1:5672/' }, 'connecting to the bus');
        logger.debug('connection mysql+pymysql://ulm:dbpass@db/ulm refused');
        logger.debug('request headers: X-Auth-Token: gAAAAABlT0k3nV4lu3');
        logger.debug({ body: '{"password": "hunter2", "user": "admin"}' }, 'body');
        logger.debug({ ipmi_password: 'bmc-pass', token_cache_time: 300 }, 'settings');
        logger.error({ err: new Error('login with password=hunter2 failed') }, 'BMC refused');
        const text = out.lines.join('\n');
        assert.equal(out.lines.filter((line) => !/^\s/.test(line)).length >= 7, true, text);
        for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} was logged:\n${text}`);
        // What is not secret stays readable.
        assert.match(text, /rabbit:\/\/ulm:\*\*\*\*@127\.0\.0\.1:5672/);
        assert.match(text, /token_cache_time/);
        assert.match(text, /application\/json/);
      });
    }
  });
});
