// `ulm policy validate [--file FILE] [field options]`: checks a policy against the schema
// without storing it, offline (the same core schema as the API) and, when an API address is
// given, by the API too; prints every setting plans would use, defaults filled in.
import type { Command } from 'commander';
import { validatePolicy } from '../../../core/policy/schema.js';
import { explicitChoice, withBackend, type BackendOptions } from '../../backend.js';
import { defineCommand, forFormat, note, print } from '../../command.js';
import { badOption } from '../../option-parsers.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { effectiveSettings, hasPolicyFields, policyDocumentFrom, withPolicyFieldOptions, type PolicyFieldOptions } from '../../policy-options.js';

interface ValidateOptions extends OutputOptions, PolicyFieldOptions {
  offline: boolean;
}

export function registerPolicyValidate(policy: Command): void {
  const command = defineCommand(policy, {
    name: 'validate',
    summary: 'check a policy without storing it; print the settings plans would use',
    output: 'one',
    examples: [
      ['ulm policy validate --file night.yaml', 'offline: the same schema as the API'],
      ['ulm policy validate --goal drain', 'says drain_hosts is required (exit 2)'],
      ['ulm --os-ulm-url http://ulm:9328 policy validate --file night.yaml', 'also ask that API'],
    ],
    details: 'Exit status: 0 valid, 2 invalid (each issue on its own line, with its field path).',
  });
  withPolicyFieldOptions(command);
  command.option('--offline', 'only check here, even when an API address is given', false);
  command.action(async (options: ValidateOptions, command: Command) => {
    if (!options.file && !hasPolicyFields(options)) badOption('--file', 'is required: give the policy with --file FILE (or its fields as options, e.g. --goal consolidate)');
    const document = policyDocumentFrom(options);
    const policy = validatePolicy(document, 'policy');
    // The API is asked only when named explicitly: validating must not need a cloud or a database.
    const global = command.optsWithGlobals<BackendOptions>();
    if (!options.offline && explicitChoice(global)?.kind === 'api') {
      await withBackend(command, async (backend) => { await backend.api?.validatePolicyRemotely(document); });
      note(`valid (checked here and by ulm-api)`);
    } else {
      note('valid');
    }
    print(renderOne(forFormat(effectiveSettings(policy), options), options));
  });
}
