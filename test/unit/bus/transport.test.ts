// transport_url in oslo.messaging's form, password masking, topic pattern matching and reconnection delays.
import assert from 'node:assert/strict';
import {
  DEFAULT_BACKOFF, TransportUrlError, backoffDelay, describeError, describeTransport, isLoginRefused, maskTransportUrl, parseTransportUrl, redact, topicMatches,
} from '../../../services/bus/index.js';

describe('transport_url', () => {
  it('reads the oslo.messaging form: credentials, host, port, virtual host', () => {
    assert.deepEqual(parseTransportUrl('rabbit://guest:guest@127.0.0.1:5672/'), {
      nodes: [{ hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest' }], virtualHost: '/', tls: false,
    });
    assert.equal(parseTransportUrl('rabbit://u:p@mq.example.org/ulm').virtualHost, 'ulm');
    assert.equal(parseTransportUrl('rabbit://u:p@mq.example.org').virtualHost, '/');
    assert.equal(parseTransportUrl('rabbit://u:p@mq//').virtualHost, '/');
    assert.equal(parseTransportUrl('rabbit://u:p@mq/%2F').virtualHost, '/');
    assert.equal(parseTransportUrl('amqp://u:p@mq:5671/?ssl=1').tls, true);
    assert.equal(parseTransportUrl('rabbit://u:p@mq.example.org/').nodes[0].port, 5672);
  });

  it('reads several nodes separated by commas, each with its own credentials or the first node\'s', () => {
    assert.deepEqual(parseTransportUrl('rabbit://ulm:s3cret@mq1:5672,ulm:s3cret@mq2:5673,mq3/ulm').nodes, [
      { hostname: 'mq1', port: 5672, username: 'ulm', password: 's3cret' },
      { hostname: 'mq2', port: 5673, username: 'ulm', password: 's3cret' },
      { hostname: 'mq3', port: 5672, username: 'ulm', password: 's3cret' },
    ]);
    assert.deepEqual(parseTransportUrl('rabbit://a:x@[::1]:5672,b:y@[fd00::2]/').nodes.map((node) => [node.hostname, node.port, node.username]), [['::1', 5672, 'a'], ['fd00::2', 5672, 'b']]);
  });

  it('decodes percent-encoded passwords, and accepts an unencoded "@" in one', () => {
    assert.equal(parseTransportUrl('rabbit://ulm:p%2Fss%3Aw%40rd@mq/').nodes[0].password, 'p/ss:w@rd');
    assert.equal(parseTransportUrl('rabbit://ulm:p@ss@mq/').nodes[0].password, 'p@ss');
  });

  it('says what is wrong, what is expected, and never shows the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['kafka://u:hunter2@broker:9092/', /uses the "kafka" driver; ulm speaks only to RabbitMQ/],
      ['rabbit://u:hunter2@mq:99999/', /has port 99999, which is not between 1 and 65535/],
      ['rabbit://u:hunter2@:5672/', /has a node without a host name/],
      ['rabbit://u:hunter2@mq/?ssl=maybe', /has ssl=maybe; use ssl=1 or ssl=0/],
      ['mq.example.org:5672', /is not a URL/],
    ];
    for (const [url, message] of cases) {
      assert.throws(() => parseTransportUrl(url), (error: Error) => {
        assert.ok(error instanceof TransportUrlError);
        assert.match(error.message, message);
        assert.match(error.message, /^transport_url: ".*"/);
        assert.match(error.message, /expected rabbit:\/\/USER:PASSWORD@HOST:5672\/VHOST/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    }
  });

  it('masks every password, even in URLs it cannot parse', () => {
    assert.equal(maskTransportUrl('rabbit://ulm:s3cret@mq1:5672,ulm:other@mq2:5672/ulm'), 'rabbit://ulm:***@mq1:5672,ulm:***@mq2:5672/ulm');
    assert.equal(maskTransportUrl('rabbit://ulm:p@ss@mq/'), 'rabbit://ulm:***@mq/');
    assert.equal(maskTransportUrl('rabbit://mq1:5672,ulm:x@mq2/'), 'rabbit://mq1:5672,ulm:***@mq2/');
    assert.equal(maskTransportUrl('rabbit://mq:5672/'), 'rabbit://mq:5672/');
    // A ',' or '/' in an unencoded password must not let a piece of it through.
    for (const url of ['rabbit://ulm:pa,ss@mq/', 'rabbit://ulm:pa/ss@mq/', 'rabbit://ulm:a:b,c@mq1,mq2/']) {
      const masked = maskTransportUrl(url);
      assert.doesNotMatch(masked, /pa|ss|a:b|,c@/, masked);
    }
    assert.equal(describeTransport(parseTransportUrl('rabbit://ulm:s3cret@mq1,mq2:5673/ulm?ssl=1')), 'rabbit://ulm:***@mq1:5672,ulm:***@mq2:5673/ulm?ssl=1');
  });

  it('removes secrets from error messages', () => {
    assert.equal(redact('login refused for ulm:s3cret', ['s3cret']), 'login refused for ulm:***');
    assert.deepEqual(describeError(Object.assign(new Error('ACCESS_REFUSED with s3cret'), { code: 403 }), ['s3cret']), { type: 'Error', message: 'ACCESS_REFUSED with ***', code: 403 });
    assert.deepEqual(describeError('plain text s3cret', ['s3cret']), { type: 'string', message: 'plain text ***' });
  });
});

describe('topic patterns (RabbitMQ topic exchange rules)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['plan.progress', 'plan.progress', true],
    ['plan.*', 'plan.progress', true],
    ['plan.*', 'plan', false],
    ['plan.*', 'plan.progress.wave', false],
    ['plan.#', 'plan', true],
    ['plan.#', 'plan.progress.wave', true],
    ['#', 'anything.at.all', true],
    ['*.moved', 'server.moved', true],
    ['*.moved', 'moved', false],
    ['cloud.#.moved', 'cloud.moved', true],
    ['cloud.#.moved', 'cloud.server.vm-01.moved', true],
    ['cloud.#.moved', 'cloud.server.deleted', false],
    ['#.#', 'a', true],
    ['*', 'a.b', false],
  ];
  for (const [pattern, topic, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${topic}`, () => {
      assert.equal(topicMatches(pattern, topic), expected);
    });
  }
});

describe('reconnection delays', () => {
  const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };

  it('start at 1 s, double each time, stop growing at 30 s (oslo.messaging\'s rabbit_* retry defaults)', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => backoffDelay(attempt, noJitter)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('spread by ±20 % so restarted services do not reconnect in lockstep, never past the maximum', () => {
    assert.equal(backoffDelay(1, DEFAULT_BACKOFF, () => 0), 800);
    assert.equal(backoffDelay(1, DEFAULT_BACKOFF, () => 0.999999), 1200);
    assert.equal(backoffDelay(10, DEFAULT_BACKOFF, () => 0.999999), 30000);
  });

  it('tells a refused login from an unreachable node, whatever the port', () => {
    assert.equal(isLoginRefused('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN"'), true);
    assert.equal(isLoginRefused('connect ECONNREFUSED 127.0.0.1:40312'), false);
    assert.equal(isLoginRefused('connect ETIMEDOUT 10.0.4.3:5672'), false);
  });
});
