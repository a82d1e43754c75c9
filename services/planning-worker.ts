// The planning thread's side (services/planning-thread.ts): plans each request it is sent, with
// the exact step where it may serve, and answers with the plan or the error.
import { parentPort } from 'node:worker_threads';
import { ValidationError } from '../core/validation.js';
import { planWithExactStep } from './exact-solver.js';
import type { PlanningReply, PlanningRequest } from './planning-thread.js';

const port = parentPort;
if (!port) throw new Error('services/planning-worker.js runs in a worker thread (services/planning-thread.ts starts it)');

port.on('message', async ({ id, request }: PlanningRequest) => {
  let reply: PlanningReply;
  try {
    reply = { id, document: await planWithExactStep(request) };
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    reply = { id, error: { name: error.name, message: error.message, stack: error.stack, ...(error instanceof ValidationError ? { what: error.what, issues: error.issues } : {}) } };
  }
  port.postMessage(reply);
});
