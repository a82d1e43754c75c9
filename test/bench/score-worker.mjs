// Worker thread of the benchmark that runs the shared scorer score.mjs, unchanged, on one plan file at a time (no process start per plan).
//
// score.mjs exports nothing: it runs its command line when loaded. Each request loads it again
// as a fresh module (a new query string), with this worker's own argv and standard output, and
// answers with the JSON it printed. The worker is the scorer's whole world, so nothing of the
// benchmark's own process is patched.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const scorerUrl = pathToFileURL(workerData.scorer).href;
let runs = 0;

parentPort.on('message', async ({ id, instance, plan }) => {
  let printed = '';
  const write = process.stdout.write;
  process.stdout.write = (chunk) => { printed += String(chunk); return true; };
  process.argv = [process.argv[0], workerData.scorer, instance, plan];
  try {
    await import(`${scorerUrl}?run=${++runs}`);
    process.stdout.write = write;
    parentPort.postMessage({ id, output: printed });
  } catch (error) {
    process.stdout.write = write;
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
