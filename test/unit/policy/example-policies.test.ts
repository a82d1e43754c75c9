// The example policies shipped in etc/ulm/policies are valid policies.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPolicyFile } from '../../../cli/files.js';

const folder = fileURLToPath(new URL('../../../etc/ulm/policies/', import.meta.url));

describe('example policies', () => {
  const files = readdirSync(folder).filter((name) => name.endsWith('.yaml'));
  it('exist', () => assert.ok(files.length >= 3));
  for (const file of files) {
    it(`${file} is a valid policy`, () => {
      const policy = readPolicyFile(`${folder}${file}`);
      assert.ok(policy.goal);
    });
  }
});
