// `ulm policy create NAME (--file FILE | --goal GOAL) [field options]`: stores a policy.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { badOption } from '../../option-parsers.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { policyDocumentFrom, withPolicyFieldOptions, type PolicyFieldOptions } from '../../policy-options.js';
import { policyRecord } from './show.js';

interface CreateOptions extends OutputOptions, PolicyFieldOptions {
  description?: string;
}

export function registerPolicyCreate(policy: Command): void {
  const command = defineCommand(policy, {
    name: 'create <name>',
    summary: 'store a policy from a file (YAML or JSON) and/or options',
    output: 'one',
    examples: [
      ['ulm policy create night --file night.yaml', 'from a file'],
      ['ulm policy create night --goal consolidate --max-host-cpu 0.8 --max-parallel-migrations 4', 'from options'],
      ['ulm policy create maint --file base.yaml --goal drain --drain-host cmp-07', 'a file, with options over it'],
    ],
    details: 'The API checks the document against the policy schema; errors name each field (document.max_host_cpu ...) and exit 2.',
  });
  command.option('--description <text>', 'what the policy is for');
  withPolicyFieldOptions(command);
  command.action(async (name: string, options: CreateOptions, command: Command) => {
    if (!options.file && !options.goal) badOption('--goal', 'is required without --file: e.g. --goal consolidate, or give the document with --file');
    const document = policyDocumentFrom(options);
    await withBackend(command, async ({ engine }) => {
      const created = await engine.createPolicy({ name, description: options.description, document });
      print(renderOne(forFormat(policyRecord(created), options), options));
    });
  });
}
