// Renders etc/ulm/policy.yaml.sample from the built-in rules, oslopolicy-sample-generator
// style: each rule commented out, with what it is for and the operations it guards.
import type { ApiRoute } from '../route.js';
import { routeTable } from '../routes/index.js';
import { comment } from '../../config/sample.js';
import { BASE_RULES, OPERATION_RULES, type DefaultRule } from './default-policy.js';

export const POLICY_SAMPLE_PATH = 'etc/ulm/policy.yaml.sample';


const HEADER = [
  'ulm-api policy rules: every rule with its default, commented out.',
  'Generated from services/api/auth/default-policy.ts by `bash scripts/genpolicy`;',
  'do not edit.',
  '',
  'Copy the rules you change to the file named by [api] policy_file (default',
  'policy.yaml, next to ulm.conf) and uncomment them; rules left out keep their',
  'default. ulm-api re-reads the file when it changes. The syntax is oslo.policy\'s:',
  'role:NAME, rule:NAME, a credential field such as project_id:VALUE or',
  'system_scope:all, "@" (always), "!" (never), with and, or, not and',
  'parentheses. A token without a role the rule accepts gets 403; no token, 401.',
];

export function renderPolicySample(routes: readonly ApiRoute[] = routeTable()): string {
  const out = HEADER.map((line) => (line ? `# ${line}` : '#'));
  const block = (rule: DefaultRule) => {
    out.push('', ...comment(rule.description));
    const guarded = routes.filter((route) => route.rule === rule.name);
    for (const route of guarded) out.push(`# ${route.method.padEnd(6)} ${route.path}`);
    out.push(`#${JSON.stringify(rule.name)}: ${JSON.stringify(rule.check)}`);
  };
  out.push('', '# ---- the rules every operation refers to ----');
  BASE_RULES.forEach(block);
  out.push('', '# ---- one rule per operation ----');
  OPERATION_RULES.forEach(block);
  return `${out.join('\n')}\n`;
}

