// The OpenStack auth options as python-openstackclient names them, each with its OS_* variable:
// defined once, on the program (light: `ulm --help` loads nothing else).
import type { Command } from 'commander';

export interface AuthOptions {
  osCloud?: string;
  osAuthUrl?: string;
  osAuthType?: string;
  osToken?: string;
  osUsername?: string;
  osUserId?: string;
  osPassword?: string;
  osProjectName?: string;
  osProjectId?: string;
  osUserDomainName?: string;
  osUserDomainId?: string;
  osProjectDomainName?: string;
  osProjectDomainId?: string;
  osDomainName?: string;
  osDomainId?: string;
  osDefaultDomain?: string;
  osSystemScope?: string;
  osApplicationCredentialId?: string;
  osApplicationCredentialName?: string;
  osApplicationCredentialSecret?: string;
  osRegionName?: string;
  osInterface?: string;
  osCacert?: string;
  osCert?: string;
  osKey?: string;
  insecure?: boolean;
}

/** Flag, its OS_* variable, the auth setting it fills (or a top-level one), and help. */
export const AUTH_FLAGS: Array<[flag: string, key: keyof AuthOptions, variable: string, setting: string, help: string]> = [
  ['--os-cloud <name>', 'osCloud', 'OS_CLOUD', '', 'cloud from clouds.yaml'],
  ['--os-auth-url <url>', 'osAuthUrl', 'OS_AUTH_URL', 'auth.auth_url', 'Keystone URL'],
  ['--os-auth-type <type>', 'osAuthType', 'OS_AUTH_TYPE', 'auth_type', 'password, v3token or v3applicationcredential (default: v3token with a token, else password)'],
  ['--os-token <token>', 'osToken', 'OS_TOKEN', 'auth.token', 'an existing Keystone token (auth type v3token)'],
  ['--os-username <name>', 'osUsername', 'OS_USERNAME', 'auth.username', 'user name'],
  ['--os-user-id <id>', 'osUserId', 'OS_USER_ID', 'auth.user_id', 'user id'],
  ['--os-password <password>', 'osPassword', 'OS_PASSWORD', 'auth.password', 'password (prefer OS_PASSWORD or clouds.yaml: options show in the process list)'],
  ['--os-project-name <name>', 'osProjectName', 'OS_PROJECT_NAME', 'auth.project_name', 'project to scope to'],
  ['--os-project-id <id>', 'osProjectId', 'OS_PROJECT_ID', 'auth.project_id', 'project id to scope to'],
  ['--os-user-domain-name <name>', 'osUserDomainName', 'OS_USER_DOMAIN_NAME', 'auth.user_domain_name', "the user's domain"],
  ['--os-user-domain-id <id>', 'osUserDomainId', 'OS_USER_DOMAIN_ID', 'auth.user_domain_id', "the user's domain id"],
  ['--os-project-domain-name <name>', 'osProjectDomainName', 'OS_PROJECT_DOMAIN_NAME', 'auth.project_domain_name', "the project's domain"],
  ['--os-project-domain-id <id>', 'osProjectDomainId', 'OS_PROJECT_DOMAIN_ID', 'auth.project_domain_id', "the project's domain id"],
  ['--os-domain-name <name>', 'osDomainName', 'OS_DOMAIN_NAME', 'auth.domain_name', 'domain to scope to (instead of a project)'],
  ['--os-domain-id <id>', 'osDomainId', 'OS_DOMAIN_ID', 'auth.domain_id', 'domain id to scope to'],
  ['--os-default-domain <id>', 'osDefaultDomain', 'OS_DEFAULT_DOMAIN', 'auth.default_domain', 'domain id of user and project when neither is given'],
  ['--os-system-scope <scope>', 'osSystemScope', 'OS_SYSTEM_SCOPE', 'auth.system_scope', 'scope to the system ("all")'],
  ['--os-application-credential-id <id>', 'osApplicationCredentialId', 'OS_APPLICATION_CREDENTIAL_ID', 'auth.application_credential_id', 'application credential id'],
  ['--os-application-credential-name <name>', 'osApplicationCredentialName', 'OS_APPLICATION_CREDENTIAL_NAME', 'auth.application_credential_name', 'application credential name (with the user)'],
  ['--os-application-credential-secret <secret>', 'osApplicationCredentialSecret', 'OS_APPLICATION_CREDENTIAL_SECRET', 'auth.application_credential_secret', 'application credential secret (prefer the variable)'],
  ['--os-region-name <region>', 'osRegionName', 'OS_REGION_NAME', 'region_name', 'region'],
  ['--os-interface <interface>', 'osInterface', 'OS_INTERFACE', 'interface', 'endpoint interface: public, internal or admin (default public)'],
  ['--os-cacert <file>', 'osCacert', 'OS_CACERT', 'cacert', 'CA bundle (PEM) to verify the services'],
  ['--os-cert <file>', 'osCert', 'OS_CERT', 'cert', 'client certificate (PEM)'],
  ['--os-key <file>', 'osKey', 'OS_KEY', 'key', 'client key (PEM)'],
];

/** The long names of the OpenStack options, for help texts. */
export const OPENSTACK_FLAGS = [...AUTH_FLAGS.map(([flag]) => flag.split(' ')[0]), '--insecure'];

/** Adds the auth options to a command. */
export function withAuthOptions(command: Command): Command {
  for (const [flag, , variable, , help] of AUTH_FLAGS) command.option(flag, `${help} (env ${variable})`);
  command.option('--insecure', 'do not verify TLS certificates (test clouds only; env OS_INSECURE)');
  command.addHelpText('after', `
Authentication follows python-openstackclient: options win over OS_* variables, which win over
the clouds.yaml entry named by --os-cloud / OS_CLOUD (searched in OS_CLIENT_CONFIG_FILE, ./,
~/.config/openstack/, /etc/openstack/; secure.yaml is merged in). A user or project given by
name without its domain is in the domain "default". With a password to give and none given,
ulm asks for it on a terminal.`);
  return command;
}

