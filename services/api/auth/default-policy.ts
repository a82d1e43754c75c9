// ulm's built-in policy rules: who may call what when `[api] policy_file` says nothing else.
// As in Nova: an admin changes things; cloud-wide reads need admin or a reader on the system
// scope; anyone else, a project's reader included, is refused. etc/ulm/policy.yaml.sample is
// generated from this list (scripts/genpolicy).

export interface DefaultRule {
  name: string;
  check: string;
  description: string;
}

export const CONTEXT_IS_ADMIN = 'context_is_admin';
export const ADMIN_API = 'admin_api';
export const SYSTEM_READER_API = 'system_reader_api';
/** The reader rule's name before ulm followed Nova's scopes; policy files may still refer to it. */
export const DEPRECATED_READER_API = 'reader_api';

/** The rules every operation rule refers to, named as Nova names them. */
export const BASE_RULES: readonly DefaultRule[] = [
  {
    name: CONTEXT_IS_ADMIN,
    check: 'role:admin',
    description: 'The caller is a cloud administrator: Keystone\'s admin role, in any scope (as Nova\'s context_is_admin).',
  },
  {
    name: ADMIN_API,
    check: `rule:${CONTEXT_IS_ADMIN}`,
    description: 'Changes things: creates, updates and deletes policies, windows and exemptions; runs audits; approves, starts and cancels action plans; drains and restores hosts; schedules and cancels maintenances.',
  },
  {
    name: SYSTEM_READER_API,
    check: `rule:${CONTEXT_IS_ADMIN} or (role:reader and system_scope:all)`,
    description: 'Reads everything, changes nothing: every host, every project\'s servers, snapshots of the whole cloud, plans, audits, maintenances, windows, savings and status. An admin, or a reader on the system scope (openstack role add --system all --user USER reader; a token with --os-system-scope all). A reader (or member) of a project gets 403: ulm\'s records belong to the cloud, not to projects.',
  },
  {
    name: DEPRECATED_READER_API,
    check: `rule:${SYSTEM_READER_API}`,
    description: 'Deprecated: the former name of system_reader_api, kept so that policy files referring to it still load. No operation uses it: set system_reader_api instead.',
  },
];

const reads = (name: string, description: string): DefaultRule => ({ name, check: `rule:${SYSTEM_READER_API}`, description });
const changes = (name: string, description: string): DefaultRule => ({ name, check: `rule:${ADMIN_API}`, description });

/** One rule per operation, named `ulm:<resource>:<action>` like other OpenStack services' rules. */
export const OPERATION_RULES: readonly DefaultRule[] = [
  reads('ulm:policy:get_all', 'List policies.'),
  reads('ulm:policy:get', 'Show a policy.'),
  changes('ulm:policy:create', 'Create a policy.'),
  changes('ulm:policy:validate', 'Validate a policy document without storing it (part of editing policies).'),
  changes('ulm:policy:update', 'Update a policy.'),
  changes('ulm:policy:delete', 'Delete a policy.'),
  reads('ulm:window:get_all', 'List power-saving windows.'),
  reads('ulm:window:get', 'Show a power-saving window.'),
  changes('ulm:window:create', 'Create a power-saving window.'),
  changes('ulm:window:delete', 'Delete a power-saving window.'),
  reads('ulm:audit:get_all', 'List audits.'),
  reads('ulm:audit:get', 'Show an audit.'),
  changes('ulm:audit:create', 'Run an audit: collect the cloud and plan (and optionally approve and start the plan).'),
  reads('ulm:action_plan:get_all', 'List action plans.'),
  reads('ulm:action_plan:get', 'Show an action plan, its ulm-plan/1 document and its before/after picture.'),
  changes('ulm:action_plan:approve', 'Approve an action plan.'),
  changes('ulm:action_plan:start', 'Start an approved action plan.'),
  changes('ulm:action_plan:cancel', 'Cancel an action plan.'),
  reads('ulm:action:get_all', 'List the actions of an action plan.'),
  reads('ulm:host:get_all', 'List compute hosts.'),
  reads('ulm:host:get', 'Show a compute host.'),
  changes('ulm:host:drain', 'Drain hosts (empty them for maintenance), or put one host into maintenance.'),
  changes('ulm:host:undrain', 'Bring drained hosts back.'),
  reads('ulm:maintenance:get_all', 'List scheduled maintenances of hosts.'),
  reads('ulm:maintenance:get', 'Show a scheduled maintenance.'),
  changes('ulm:maintenance:create', 'Schedule a maintenance of hosts (drain by a time, power off, bring back).'),
  changes('ulm:maintenance:cancel', 'Cancel a scheduled maintenance, or end one now.'),
  reads('ulm:server:get_all', 'List servers.'),
  reads('ulm:exemption:get_all', 'List a server\'s exemptions.'),
  changes('ulm:exemption:create', 'Exempt a server from moving (always, during windows, or by anti-affinity tag).'),
  changes('ulm:exemption:delete', 'Remove a server\'s exemptions.'),
  reads('ulm:snapshot:get_all', 'List snapshots.'),
  reads('ulm:snapshot:get', 'Show a snapshot (the ulm-cluster/1 document).'),
  changes('ulm:snapshot:create', 'Collect a snapshot of the cloud now.'),
  reads('ulm:savings:get_all', 'Show the power saved.'),
  reads('ulm:status:get', 'Show ulm\'s status.'),
];

export const DEFAULT_RULES: readonly DefaultRule[] = [...BASE_RULES, ...OPERATION_RULES];
