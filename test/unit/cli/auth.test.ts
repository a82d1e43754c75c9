// Credentials as the OpenStack client takes them: the domain "default" when none is named,
// auth type v3token with --os-token / OS_TOKEN, and a password asked on a terminal (never read
// from a pipe: then the error names OS_PASSWORD and --os-password).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { askPassword, cloudConfigAsking, cloudConfigFrom } from '../../../cli/auth.js';
import { authRequestBody } from '../../../openstack/keystone.js';

const KEYSTONE = { OS_AUTH_URL: 'http://keystone.test:5000/v3' };

describe('OpenStack credentials on the command line', () => {
  it('puts a user and project named without their domain in the domain "default", as openstack does', () => {
    const config = cloudConfigFrom({}, { ...KEYSTONE, OS_USERNAME: 'admin', OS_PASSWORD: 'secret', OS_PROJECT_NAME: 'admin' });
    const body = authRequestBody(config) as { auth: { identity: { password: { user: { domain: unknown } } }; scope: { project: { domain: unknown } } } };
    assert.deepEqual(body.auth.identity.password.user.domain, { id: 'default' });
    assert.deepEqual(body.auth.scope.project.domain, { id: 'default' });
  });

  it('keeps the domains that are given, and --os-default-domain', () => {
    const named = authRequestBody(cloudConfigFrom({ osUserDomainName: 'Users', osProjectDomainName: 'Projects' }, { ...KEYSTONE, OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'p' })) as { auth: { identity: { password: { user: { domain: unknown } } }; scope: { project: { domain: unknown } } } };
    assert.deepEqual(named.auth.identity.password.user.domain, { name: 'Users' });
    assert.deepEqual(named.auth.scope.project.domain, { name: 'Projects' });
    const other = authRequestBody(cloudConfigFrom({ osDefaultDomain: 'd-42' }, { ...KEYSTONE, OS_USERNAME: 'u', OS_PASSWORD: 'p' })) as { auth: { identity: { password: { user: { domain: unknown } } } } };
    assert.deepEqual(other.auth.identity.password.user.domain, { id: 'd-42' });
  });

  it('authenticates with a token (v3token) from --os-token or OS_TOKEN, rescoped to the project', () => {
    const fromOption = cloudConfigFrom({ osToken: 'gAAAA-token', osProjectName: 'admin' }, KEYSTONE);
    assert.equal(fromOption.auth_type, 'v3token');
    assert.deepEqual(authRequestBody(fromOption), { auth: { identity: { methods: ['token'], token: { id: 'gAAAA-token' } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } });
    const fromVariable = cloudConfigFrom({ osAuthType: 'v3token' }, { ...KEYSTONE, OS_TOKEN: 'gAAAA-other' });
    assert.deepEqual(authRequestBody(fromVariable), { auth: { identity: { methods: ['token'], token: { id: 'gAAAA-other' } } } });
    assert.throws(() => cloudConfigFrom({ osAuthType: 'v3token' }, KEYSTONE), /auth\.token: is not set; auth type v3token needs a token: give OS_TOKEN \(or --os-token\)/);
  });

  it('asks for the password on a terminal when none is given', async () => {
    const questions: string[] = [];
    const config = await cloudConfigAsking({}, { ...KEYSTONE, OS_USERNAME: 'admin' }, { isTerminal: true, ask: async (question) => { questions.push(question); return 'typed-secret'; } });
    assert.deepEqual(questions, ['Password: ']);
    assert.equal(config.auth.password, 'typed-secret');
  });

  it('does not ask when standard input is no terminal: the error names OS_PASSWORD and --os-password', async () => {
    await assert.rejects(
      cloudConfigAsking({}, { ...KEYSTONE, OS_USERNAME: 'admin' }, { isTerminal: false, ask: async () => assert.fail('asked without a terminal') }),
      (error: Error) => error.name === 'ValidationError' && /auth\.password: is not set and standard input is not a terminal to ask for it: set OS_PASSWORD \(or --os-password/.test(error.message),
    );
  });

  it('reads the password without echoing it, backspace and all', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => { shown += chunk.toString(); });
    const answer = askPassword('Password: ', { input, output });
    input.write('secrex\u007ft\r');
    assert.equal(await answer, 'secret');
    assert.equal(shown, 'Password: \n');
  });
});
