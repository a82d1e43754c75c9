// Cloud configuration as python-openstackclient reads it: clouds.yaml found on the search path
// or through OS_CLIENT_CONFIG_FILE, secure.yaml merged in, OS_* variables over the file,
// command-line options over both; errors that name the setting and the fix.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCloud, resolveCloudConfig } from '../../../openstack/config.js';
import { CloudConfigError } from '../../../openstack/errors.js';
import { authOverrides, cloudConfigFrom } from '../../../cli/auth.js';
import { ValidationError } from '../../../core/validation.js';

const CLOUDS = `
clouds:
  prod:
    auth:
      auth_url: https://keystone.prod.example:5000/v3
      username: ulm
      project_name: ops
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: internal
    cacert: /etc/ssl/prod-ca.pem
    metric_endpoint_override: https://gnocchi.prod.example:8041
  lab:
    auth:
      auth_url: http://127.0.0.1:5000
      application_credential_id: ac-lab
      application_credential_secret: lab-secret
    auth_type: v3applicationcredential
    verify: false
    regions: [LabOne]
`;

const SECURE = `
clouds:
  prod:
    auth:
      password: from-secure-yaml
`;

describe('cloud configuration', () => {
  let root: string;
  let cwd: string;
  let home: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ulm-config-'));
    cwd = join(root, 'work');
    home = join(root, 'home');
    mkdirSync(cwd, { recursive: true });
    mkdirSync(home, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };

  it('--os-cloud picks the entry of the clouds.yaml named by OS_CLIENT_CONFIG_FILE', () => {
    const file = write(join(root, 'elsewhere', 'my-clouds.yaml'), CLOUDS);
    const config = resolveCloudConfig({ cloud: 'prod', env: { OS_CLIENT_CONFIG_FILE: file, OS_PASSWORD: 'pw' }, cwd, home });
    assert.equal(config.cloud, 'prod');
    assert.equal(config.auth.auth_url, 'https://keystone.prod.example:5000/v3');
    assert.equal(config.auth.username, 'ulm');
    assert.equal(config.interface, 'internal');
    assert.equal(config.region_name, 'RegionOne');
    assert.equal(config.tls.cacert, '/etc/ssl/prod-ca.pem');
    assert.deepEqual(config.endpoint_override, { metric: 'https://gnocchi.prod.example:8041' });
  });

  it('OS_CLOUD names the cloud when --os-cloud is not given', () => {
    write(join(cwd, 'clouds.yaml'), CLOUDS);
    const config = resolveCloudConfig({ env: { OS_CLOUD: 'lab' }, cwd, home });
    assert.equal(config.cloud, 'lab');
  });

  it('the search path: the current directory first, then ~/.config/openstack, honouring XDG_CONFIG_HOME', () => {
    write(join(home, '.config', 'openstack', 'clouds.yaml'), CLOUDS.replace('prod:', 'home-prod:'));
    assert.equal(resolveCloudConfig({ cloud: 'home-prod', env: { OS_PASSWORD: 'pw' }, cwd, home }).cloud, 'home-prod');
    write(join(root, 'xdg', 'openstack', 'clouds.yml'), CLOUDS.replace('prod:', 'xdg-prod:'));
    assert.equal(resolveCloudConfig({ cloud: 'xdg-prod', env: { OS_PASSWORD: 'pw', XDG_CONFIG_HOME: join(root, 'xdg') }, cwd, home }).cloud, 'xdg-prod');
    write(join(cwd, 'clouds.yaml'), CLOUDS.replace('prod:', 'here-prod:'));
    assert.throws(() => resolveCloudConfig({ cloud: 'home-prod', env: { OS_PASSWORD: 'pw' }, cwd, home }), /cloud "home-prod" is not in .*work\/clouds\.yaml; the clouds there are: here-prod, lab/);
  });

  it('secure.yaml fills in the secrets clouds.yaml leaves out', () => {
    write(join(cwd, 'clouds.yaml'), CLOUDS);
    write(join(cwd, 'secure.yaml'), SECURE);
    const config = resolveCloudConfig({ cloud: 'prod', env: {}, cwd, home });
    assert.equal(config.auth.password, 'from-secure-yaml');
    assert.equal(config.auth.username, 'ulm');
  });

  it('OS_* variables win over clouds.yaml, and options win over both (as in python-openstackclient)', () => {
    write(join(cwd, 'clouds.yaml'), CLOUDS);
    const env = { OS_PASSWORD: 'env-pw', OS_REGION_NAME: 'RegionEnv', OS_PROJECT_NAME: 'env-project' };
    const config = resolveCloudConfig({ cloud: 'prod', env, cwd, home, overrides: { region_name: 'RegionCli', auth: { project_name: 'cli-project' } } });
    assert.equal(config.auth.password, 'env-pw');
    assert.equal(config.auth.project_name, 'cli-project');
    assert.equal(config.region_name, 'RegionCli');
    assert.equal(config.auth.username, 'ulm', 'untouched settings stay from the file');
  });

  it('an openrc (OS_* variables alone) is a complete configuration', () => {
    const config = resolveCloudConfig({
      env: { OS_AUTH_URL: 'http://127.0.0.1:5000/v3', OS_USERNAME: 'admin', OS_PASSWORD: 'pw', OS_PROJECT_NAME: 'admin', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default', OS_REGION_NAME: 'RegionOne', OS_INTERFACE: 'public', OS_IDENTITY_API_VERSION: '3' },
      cwd, home,
    });
    assert.equal(config.cloud, undefined);
    assert.equal(config.auth_type, 'password');
    assert.equal(config.auth.project_name, 'admin');
    assert.deepEqual(config.sources, ['OS_* environment variables']);
  });

  it('an application credential: the auth type follows, verify false means insecure, a single region is used', () => {
    write(join(cwd, 'clouds.yaml'), CLOUDS);
    const config = resolveCloudConfig({ cloud: 'lab', env: {}, cwd, home });
    assert.equal(config.auth_type, 'v3applicationcredential');
    assert.equal(config.tls.insecure, true);
    assert.equal(config.region_name, 'LabOne');
    const fromEnvironment = resolveCloudConfig({ env: { OS_AUTH_URL: 'http://k:5000', OS_APPLICATION_CREDENTIAL_ID: 'ac', OS_APPLICATION_CREDENTIAL_SECRET: 's', OS_INSECURE: 'true' }, cwd, home });
    assert.equal(fromEnvironment.auth_type, 'v3applicationcredential');
    assert.equal(fromEnvironment.tls.insecure, true);
  });

  describe('errors name the setting and the fix', () => {
    const fails = (run: () => unknown, field: string, message: RegExp) => assert.throws(run, (error: Error) => {
      assert.ok(error instanceof CloudConfigError, `${error.name}: ${error.message}`);
      assert.equal(error.field, field);
      assert.match(error.message, message);
      return true;
    });

    it('nothing configured', () => fails(() => resolveCloudConfig({ env: {}, cwd, home }), 'auth.auth_url', /use --os-cloud NAME .* or set OS_AUTH_URL/));
    it('a cloud asked for but no clouds.yaml anywhere', () => fails(() => resolveCloudConfig({ cloud: 'prod', env: {}, cwd, home }), '--os-cloud', /no clouds\.yaml was found \(looked at .*work\/clouds\.yaml.*\); set OS_CLIENT_CONFIG_FILE/));
    it('OS_CLIENT_CONFIG_FILE pointing nowhere', () => fails(() => resolveCloudConfig({ cloud: 'prod', env: { OS_CLIENT_CONFIG_FILE: join(root, 'missing.yaml') }, cwd, home }), 'OS_CLIENT_CONFIG_FILE', /does not exist/));
    it('an unknown cloud lists the known ones', () => {
      write(join(cwd, 'clouds.yaml'), CLOUDS);
      fails(() => resolveCloudConfig({ env: { OS_CLOUD: 'staging' }, cwd, home }), 'OS_CLOUD', /cloud "staging" is not in .*; the clouds there are: prod, lab/);
    });
    it('a password user without a password', () => fails(() => resolveCloudConfig({ env: { OS_AUTH_URL: 'http://k/v3', OS_USERNAME: 'u', OS_USER_DOMAIN_NAME: 'Default' }, cwd, home }), 'auth.password', /give OS_PASSWORD/));
    it('a user by name without a domain is in the domain "default", as in openstack', () => assert.equal(resolveCloudConfig({ env: { OS_AUTH_URL: 'http://k/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p' }, cwd, home }).auth.default_domain, 'default'));
    it('a malformed auth_url', () => fails(() => resolveCloudConfig({ env: { OS_AUTH_URL: 'keystone:5000', OS_USERNAME: 'u', OS_PASSWORD: 'p' }, cwd, home }), 'auth.auth_url', /is not an http\(s\) URL/));
    it('an auth type ulm does not speak', () => fails(() => resolveCloudConfig({ env: { OS_AUTH_URL: 'http://k/v3', OS_AUTH_TYPE: 'v3oidcpassword' }, cwd, home }), 'auth_type', /use "password", "v3token" or "v3applicationcredential"/));
    it('Keystone v2', () => fails(() => resolveCloudConfig({ env: { OS_AUTH_URL: 'http://k/v3', OS_IDENTITY_API_VERSION: '2.0' }, cwd, home }), 'OS_IDENTITY_API_VERSION', /ulm speaks Keystone v3 only/));
    it('an unknown interface', () => fails(() => resolveCloudConfig({ env: { OS_AUTH_URL: 'http://k/v3', OS_USERNAME: 'u', OS_USER_ID: 'x', OS_PASSWORD: 'p', OS_INTERFACE: 'external' }, cwd, home }), 'interface', /use public, internal or admin/));
  });

  describe('the CLI auth options', () => {
    it('map onto clouds.yaml settings, and --insecure onto insecure', () => {
      assert.deepEqual(authOverrides({ osCloud: 'prod', osAuthUrl: 'http://k/v3', osUsername: 'u', osProjectDomainName: 'D', osRegionName: 'R', osCacert: '/ca.pem', insecure: true }), {
        auth: { auth_url: 'http://k/v3', username: 'u', project_domain_name: 'D' }, region_name: 'R', cacert: '/ca.pem', insecure: true,
      });
    });

    it('a bad setting becomes a usage error that names it', () => {
      assert.throws(() => cloudConfigFrom({}, {}), (error: Error) => error instanceof ValidationError && error.issues[0].path === 'auth.auth_url');
    });

    it('the description of a cloud shows who and where, never a secret', () => {
      const config = resolveCloudConfig({ env: { OS_AUTH_URL: 'http://k/v3', OS_USERNAME: 'u', OS_PASSWORD: 'top-secret', OS_USER_DOMAIN_NAME: 'Default' }, cwd, home });
      assert.equal(describeCloud(config), 'at http://k/v3 as user u');
    });
  });
});
