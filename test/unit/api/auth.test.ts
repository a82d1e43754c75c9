// Who may call what: 401 without a valid token (with WWW-Authenticate), 403 for roles the policy
// does not accept (a project member included, though Keystone's implied roles give it reader),
// readers read, admins change things; the public routes need no token; noauth for development;
// the operator's policy file overrides the defaults and is re-read when it changes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { ValidationError } from '../../../core/validation.js';
import { buildRules, FilePolicy, resolvePolicyFile } from '../../../services/api/auth/policy.js';
import { evaluate, parseCheck, RuleSyntaxError, ruleSetProblems, type Check } from '../../../services/api/auth/rules.js';
import { AuthenticationUnavailable } from '../../../services/api/errors.js';
import type { ApiRoute } from '../../../services/api/route.js';
import { routeTable } from '../../../services/api/routes/index.js';
import { caller, testApi, TOKENS, WWW_AUTHENTICATE_URI, type ErrorAnswer } from '../../support/api.js';
import { SERVER_IDS } from '../../support/engine-double.js';

/** A request for each route, concrete enough to pass routing (the body may well be refused later). */
function requestFor(route: ApiRoute): InjectOptions {
  const url = route.path.replace('{id}', route.path.startsWith('/v1/servers') ? SERVER_IDS[0] : 'some-id').replace('{policy}', 'nightly').replace('{name}', 'cmp-01');
  const query = route.operationId === 'listActions' ? '?action_plan=some-id' : '';
  return { method: route.method, url: `${url}${query}`, ...(route.body ? { payload: {} } : {}) };
}

const guarded = routeTable().filter((route) => route.rule !== null);
const reads = guarded.filter((route) => route.method === 'GET');
const writes = guarded.filter((route) => route.method !== 'GET');

describe('ulm-api authentication and roles (token validator double)', () => {
  it('answers 401 with WWW-Authenticate to a request without a token, on every guarded route', async () => {
    const { app } = testApi();
    for (const route of guarded) {
      const answer = await app.inject(requestFor(route));
      assert.equal(answer.statusCode, 401, `${route.method} ${route.path}`);
      assert.equal(answer.headers['www-authenticate'], `Keystone uri="${WWW_AUTHENTICATE_URI}"`);
      const body = answer.json() as ErrorAnswer;
      assert.equal(body.error.code, 401);
      assert.match(body.error.message, /X-Auth-Token/);
    }
  });

  it('answers 401 to a token Keystone does not know, and to an empty one', async () => {
    const { app } = testApi();
    for (const token of ['gAAAAABgarbage', '']) {
      const answer = await app.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': token } });
      assert.equal(answer.statusCode, 401);
      assert.match((answer.json() as ErrorAnswer).error.message, token ? /not valid/ : /no X-Auth-Token/);
    }
  });

  it('checks the token before the body: a bad body from nobody is a 401, from a reader a 403', async () => {
    const { app } = testApi();
    const bad = { method: 'POST' as const, url: '/v1/policies', payload: '{not json' };
    assert.equal((await app.inject({ ...bad, headers: { 'content-type': 'application/json' } })).statusCode, 401);
    assert.equal((await app.inject({ ...bad, headers: { 'content-type': 'application/json', 'x-auth-token': TOKENS.reader } })).statusCode, 403);
  });

  it('refuses a project member everything with 403, though its token carries reader (implied role)', async () => {
    const { app } = testApi();
    for (const route of guarded) {
      const answer = await app.inject({ ...requestFor(route), headers: { 'x-auth-token': TOKENS.member } });
      assert.equal(answer.statusCode, 403, `${route.method} ${route.path}`);
      const message = (answer.json() as ErrorAnswer).error.message;
      assert.match(message, new RegExp(`policy does not allow ${route.rule!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*max.*\\[member, reader\\]`));
    }
  });

  it('refuses a project\'s reader every route with 403, naming the system scope it would need', async () => {
    const { app } = testApi();
    for (const route of guarded) {
      const answer = await app.inject({ ...requestFor(route), headers: { 'x-auth-token': TOKENS.projectReader } });
      assert.equal(answer.statusCode, 403, `${route.method} ${route.path}`);
      const message = (answer.json() as ErrorAnswer).error.message;
      assert.match(message, /\(project ops\)/);
      if (route.method === 'GET') assert.match(message, /reader role on the system scope.*--system all/);
    }
  });

  it('refuses a token without roles with 403', async () => {
    const { app } = testApi();
    assert.equal((await app.inject({ method: 'GET', url: '/v1/status', headers: { 'x-auth-token': TOKENS.nothing } })).statusCode, 403);
  });

  it('lets a system reader read everything and change nothing', async () => {
    const { app } = testApi();
    for (const route of reads) {
      const answer = await app.inject({ ...requestFor(route), headers: { 'x-auth-token': TOKENS.reader } });
      assert.ok(![401, 403].includes(answer.statusCode), `${route.method} ${route.path}: ${answer.statusCode}`);
    }
    for (const route of writes) {
      const answer = await app.inject({ ...requestFor(route), headers: { 'x-auth-token': TOKENS.reader } });
      assert.equal(answer.statusCode, 403, `${route.method} ${route.path}`);
      assert.match((answer.json() as ErrorAnswer).error.message, /needs the admin role/);
    }
  });

  it('lets an admin through on every route', async () => {
    const { app } = testApi();
    for (const route of guarded) {
      const answer = await app.inject({ ...requestFor(route), headers: { 'x-auth-token': TOKENS.admin } });
      assert.ok(![401, 403].includes(answer.statusCode), `${route.method} ${route.path}: ${answer.statusCode}`);
    }
  });

  it('asks for no token on /, /v1, /v1/openapi.json and /metrics', async () => {
    const { app, tokens } = testApi();
    for (const url of ['/', '/v1', '/v1/openapi.json', '/metrics']) assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
    assert.equal(tokens.validated.length, 0);
  });

  it('with auth_strategy noauth asks for no token and lets everyone change things', async () => {
    const { app, logs } = testApi({ noauth: true });
    assert.equal((await app.inject({ method: 'POST', url: '/v1/snapshots', payload: {} })).statusCode, 201);
    assert.ok(logs.some((line) => /noauth/.test(String(line.msg)) && line.level === 40), 'a warning at start');
  });

  it('answers 503 when Keystone cannot be asked (not 401: the token may be fine)', async () => {
    const api = testApi();
    api.tokens.validate = async () => { throw new AuthenticationUnavailable('ulm cannot validate tokens right now: keystone: ECONNREFUSED'); };
    const answer = await api.app.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': TOKENS.admin } });
    assert.equal(answer.statusCode, 503);
    assert.match((answer.json() as ErrorAnswer).error.message, /cannot validate tokens/);
  });
});

describe('policy rules (oslo.policy check strings)', () => {
  const rules = buildRules({}).rules;
  const allows = (text: string, roles: string[], fields: Record<string, unknown> = {}) =>
    evaluate(parseCheck('test', text), { ...caller('someone', roles), ...fields }, rules);

  it('reads role:, rule:, and / or / not with parentheses, @ and !, and the empty rule', () => {
    assert.equal(allows('role:admin', ['admin']), true);
    assert.equal(allows('role:Admin', ['ADMIN']), true, 'role names compare without case');
    assert.equal(allows('role:admin or role:reader', ['reader']), true);
    assert.equal(allows('role:admin and role:reader', ['reader']), false);
    assert.equal(allows('not role:member', ['reader']), true);
    assert.equal(allows('role:reader and not (role:member or role:admin)', ['reader', 'member']), false);
    assert.equal(allows('((role:reader))', ['reader']), true);
    assert.equal(allows('@', []), true);
    assert.equal(allows('!', ['admin']), false);
    assert.equal(allows('', []), true);
    assert.equal(allows('rule:admin_api', ['admin']), true);
    assert.equal(allows('rule:system_reader_api', ['member', 'reader']), false);
    assert.equal(allows('rule:no_such_rule', ['admin']), false, 'an undefined rule allows no one');
  });

  it('compares credential fields, and never matches a %(target)s (ulm\'s records belong to no project)', () => {
    assert.equal(allows('project_id:project-ops', []), true);
    assert.equal(allows('project_id:other', []), false);
    assert.equal(allows('system_scope:all', [], { system_scope: 'all' }), true);
    assert.equal(allows('project_id:%(project_id)s', [], {}), false);
    assert.equal(allows("user_name:'someone'", []), true);
  });

  it('names the rule and the spot of a syntax error', () => {
    for (const text of ['role:admin or', 'role:admin and and role:x', '(role:admin', 'role:admin)', 'admin', 'or role:admin', 'http://policy.example.org']) {
      assert.throws(() => parseCheck('ulm:host:drain', text), (error: Error) => error instanceof RuleSyntaxError && /policy rule "ulm:host:drain"/.test(error.message), text);
    }
  });

  it('finds rules referring to undefined rules, and loops', () => {
    const set = new Map<string, Check>([['a', parseCheck('a', 'rule:b')], ['b', parseCheck('b', 'rule:a')], ['c', parseCheck('c', 'rule:nowhere')]]);
    const problems = ruleSetProblems(set);
    assert.ok(problems.some((problem) => /loop: a -> b -> a/.test(problem)), problems.join('; '));
    assert.ok(problems.some((problem) => /"c" refers to rule:nowhere/.test(problem)));
  });

  it('the defaults, as Nova\'s: admin changes and reads in any scope, a reader reads only on the system scope', () => {
    const admin = ['admin', 'member', 'reader'];
    const system = { system_scope: 'all', project_id: null };
    const project = { system_scope: null, project_id: 'project-ops' };
    assert.equal(allows('rule:context_is_admin', admin, project), true);
    assert.equal(allows('rule:admin_api', admin, project), true);
    assert.equal(allows('rule:system_reader_api', admin, project), true);
    assert.equal(allows('rule:system_reader_api', ['reader'], system), true);
    assert.equal(allows('rule:admin_api', ['reader'], system), false);
    assert.equal(allows('rule:system_reader_api', ['reader'], project), false);
    assert.equal(allows('rule:system_reader_api', ['member', 'reader'], project), false);
    assert.equal(allows('rule:system_reader_api', ['member'], system), false);
    assert.equal(allows('rule:reader_api', ['reader'], system), true, 'the deprecated name still resolves');
  });
});

describe('the policy file', () => {
  let directory: string;
  beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-policy-')); });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const quiet = { warn: () => undefined, error: () => undefined };

  it('overrides the defaults it names and keeps the others', async () => {
    const file = join(directory, 'policy.yaml');
    writeFileSync(file, '# operators may drain\n"ops": "role:ops"\n"ulm:host:drain": "rule:admin_api or rule:ops"\n"ulm:host:get_all": "role:member"\n');
    const { app } = testApi({ policy: new FilePolicy({ file, logger: quiet }) });
    const api = testApi({ policy: new FilePolicy({ file, logger: quiet }) });
    api.tokens.callers.set('token-ops', caller('olga', ['ops']));
    assert.equal((await api.app.inject({ method: 'POST', url: '/v1/hosts/drain', headers: { 'x-auth-token': 'token-ops' }, payload: { hosts: ['cmp-01'] } })).statusCode, 202);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': TOKENS.member } })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/servers', headers: { 'x-auth-token': TOKENS.member } })).statusCode, 403, 'rules the file does not name keep their default');
  });

  it('reads JSON too, and an empty file means the defaults', () => {
    const json = join(directory, 'policy.json');
    writeFileSync(json, '{"ulm:status:get": "@"}');
    assert.equal(new FilePolicy({ file: json, logger: quiet }).allows('ulm:status:get', caller('anyone', [])), true);
    const empty = join(directory, 'empty.yaml');
    writeFileSync(empty, '');
    assert.equal(new FilePolicy({ file: empty, logger: quiet }).allows('ulm:status:get', caller('anyone', [])), false);
  });

  it('stops ulm-api from starting when it is wrong, naming the file and the rule', () => {
    const file = join(directory, 'policy.yaml');
    writeFileSync(file, '"ulm:host:drain": "role:admin or"\n"ulm:host:undrain": 42\n"ulm:policy:get": "rule:missing"\n');
    assert.throws(() => new FilePolicy({ file, logger: quiet }), (error: Error) => {
      assert.ok(error instanceof ValidationError);
      const paths = error.issues.map((issue) => `${issue.path} ${issue.message}`).join('\n');
      assert.match(paths, /policy\.yaml: ulm:host:drain expected a check/);
      assert.match(paths, /policy\.yaml: ulm:host:undrain expected a check string/);
      assert.match(paths, /refers to rule:missing/);
      return true;
    });
    writeFileSync(file, '- a list\n');
    assert.throws(() => new FilePolicy({ file, logger: quiet }), /invalid policy file/);
  });

  it('warns about rules ulm does not use (a typo), but not about helpers other rules refer to', () => {
    const file = join(directory, 'policy.yaml');
    writeFileSync(file, '"ulm:polcy:create": "role:admin"\n"ops": "role:ops"\n"ulm:host:drain": "rule:ops"\n');
    const warnings: string[] = [];
    new FilePolicy({ file, logger: { warn: (_fields, message) => warnings.push(message), error: () => undefined } });
    assert.deepEqual(warnings, ['policy file sets rule "ulm:polcy:create", which ulm does not use: check its spelling']);
  });

  it('warns that reader_api is deprecated and guards nothing, and still loads files referring to it', async () => {
    const file = join(directory, 'policy.yaml');
    writeFileSync(file, '"reader_api": "role:reader"\n"ulm:status:get": "rule:reader_api"\n');
    const warnings: string[] = [];
    const api = testApi({ policy: new FilePolicy({ file, logger: { warn: (_fields, message) => warnings.push(message), error: () => undefined } }) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /"reader_api", which is deprecated.*system_reader_api/);
    assert.equal((await api.app.inject({ method: 'GET', url: '/v1/status', headers: { 'x-auth-token': TOKENS.projectReader } })).statusCode, 200, 'the rule that refers to it');
    assert.equal((await api.app.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': TOKENS.projectReader } })).statusCode, 403, 'the others follow system_reader_api');
  });

  it('is re-read when it changes; a broken edit keeps the previous rules', () => {
    const file = join(directory, 'policy.yaml');
    writeFileSync(file, '"ulm:status:get": "role:admin"\n');
    let now = 1_000_000;
    const errors: string[] = [];
    const policy = new FilePolicy({ file, logger: { warn: () => undefined, error: (_fields, message) => errors.push(message) }, recheckMs: 1000, now: () => now });
    const reader = { ...caller('rita', ['reader']), project_id: null, system_scope: 'all' };
    assert.equal(policy.allows('ulm:status:get', reader), false);
    const touch = (seconds: number) => utimesSync(file, seconds, seconds);
    writeFileSync(file, '"ulm:status:get": "role:reader"\n');
    touch(2_000_000);
    assert.equal(policy.allows('ulm:status:get', reader), false, 'not looked at again before recheckMs');
    now += 1500;
    assert.equal(policy.allows('ulm:status:get', reader), true, 'reloaded');
    writeFileSync(file, '"ulm:status:get": "role:reader or"\n');
    touch(3_000_000);
    now += 1500;
    assert.equal(policy.allows('ulm:status:get', reader), true, 'the previous rules stay');
    assert.match(errors[0], /policy file not reloaded/);
    rmSync(file);
    now += 1500;
    assert.equal(policy.allows('ulm:status:get', reader), true, 'removed: the built-in rules (a system reader reads)');
    assert.equal(policy.allows('ulm:host:drain', reader), false);
  });

  it('is looked up next to the configuration files when relative', () => {
    const conf = join(directory, 'ulm.conf');
    writeFileSync(join(directory, 'policy.yaml'), '{}');
    assert.equal(resolvePolicyFile('policy.yaml', ['/nowhere/ulm.conf', conf]), join(directory, 'policy.yaml'));
    assert.equal(resolvePolicyFile('other.yaml', [conf]), join(directory, 'other.yaml'), 'where it would appear');
    assert.equal(resolvePolicyFile('/etc/ulm/policy.yaml', [conf]), '/etc/ulm/policy.yaml');
    assert.equal(resolvePolicyFile('', [conf]), null);
  });
});
