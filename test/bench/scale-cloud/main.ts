// Runs the stand-in cloud on its own (a process apart from what it measures) and prints
// "LISTENING <url>" once it serves. Run: node --import tsx test/bench/scale-cloud/main.ts [--hosts N] [--servers N] [--latency-ms MS] [--port P]
import { parseArgs } from 'node:util';
import { DEFAULT_SIZE } from './inventory.js';
import { startStandIn } from './server.js';

function wholeNumber(name: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    console.error(`scale-cloud: --${name} "${text}" is not a whole number ≥ ${minimum}`);
    process.exit(2);
  }
  return value;
}

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: String(DEFAULT_SIZE.hosts) },
    servers: { type: 'string', default: String(DEFAULT_SIZE.servers) },
    'latency-ms': { type: 'string', default: '20' },
    port: { type: 'string', default: '0' },
  },
});
const standIn = await startStandIn({
  size: { hosts: wholeNumber('hosts', values.hosts, 1), servers: wholeNumber('servers', values.servers, 0) },
  latencyMs: wholeNumber('latency-ms', values['latency-ms'], 0),
  port: wholeNumber('port', values.port, 0),
});
console.log(`LISTENING ${standIn.url}`);
const stop = () => { void standIn.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
