// `bash scripts/genpolicy`: writes etc/ulm/policy.yaml.sample from the built-in rules; with
// --check, only tells whether the committed sample is up to date (exit 1 when it is not); with
// --stdout, prints it (what an operator starts a policy file from).
import { readFileSync, writeFileSync } from 'node:fs';
import { POLICY_SAMPLE_PATH, renderPolicySample } from './auth/policy-sample.js';

const sample = renderPolicySample();
if (process.argv.includes('--stdout')) {
  process.stdout.write(sample);
} else if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(POLICY_SAMPLE_PATH, 'utf8');
  } catch {
    // A missing sample is out of date too.
  }
  if (committed !== sample) {
    process.stderr.write(`${POLICY_SAMPLE_PATH} is out of date: run bash scripts/genpolicy and commit it\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(POLICY_SAMPLE_PATH, sample);
  process.stdout.write(`wrote ${POLICY_SAMPLE_PATH}\n`);
}
