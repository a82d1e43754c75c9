// `npm run genconfig`: writes etc/ulm/ulm.conf.sample from the option table; with --check,
// only tells whether the committed sample is up to date (exit 1 when it is not).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSample, SAMPLE_PATH } from './sample.js';

const sample = renderSample();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(SAMPLE_PATH, 'utf8');
  } catch {
    // A missing sample is out of date too.
  }
  if (committed !== sample) {
    process.stderr.write(`${SAMPLE_PATH} is out of date: run npm run genconfig and commit it\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(SAMPLE_PATH, sample);
  process.stdout.write(`wrote ${SAMPLE_PATH}\n`);
}
