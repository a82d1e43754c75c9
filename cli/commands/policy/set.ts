// `ulm policy set POLICY [--name] [--description] [--file] [field options]`: changes a policy;
// the options change only the fields they name.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { badOption } from '../../option-parsers.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { hasPolicyFields, policyDocumentFrom, withPolicyFieldOptions, type PolicyFieldOptions } from '../../policy-options.js';
import { policyRecord } from './show.js';

interface SetOptions extends OutputOptions, PolicyFieldOptions {
  name?: string;
  description?: string;
}

export function registerPolicySet(policy: Command): void {
  const command = defineCommand(policy, {
    name: 'set <policy>',
    summary: 'change a policy: its name, description, or document fields',
    output: 'one',
    examples: [
      ['ulm policy set night --max-host-cpu 75%', 'one field; the rest stays'],
      ['ulm policy set night --file night.yaml', 'replace the whole document'],
      ['ulm policy set night --name night-eu --description "EU region, weeknights"', 'rename, describe'],
    ],
  });
  command.option('--name <name>', 'new name').option('--description <text>', 'new description');
  withPolicyFieldOptions(command);
  command.action(async (reference: string, options: SetOptions, command: Command) => {
    const changesDocument = Boolean(options.file) || hasPolicyFields(options);
    if (!changesDocument && options.name === undefined && options.description === undefined) {
      badOption('<policy>', 'nothing to change: give --name, --description, --file or a field option such as --max-host-cpu');
    }
    await withBackend(command, async ({ engine }) => {
      const document = changesDocument
        ? policyDocumentFrom(options, options.file ? {} : (await engine.getPolicy(reference)).document as unknown as Record<string, unknown>)
        : undefined;
      const updated = await engine.updatePolicy(reference, { name: options.name, description: options.description, document });
      print(renderOne(forFormat(policyRecord(updated), options), options));
    });
  });
}
