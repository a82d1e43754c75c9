// Plans in a worker thread. Planning a large cloud, and the exact step's solver, take seconds of
// CPU; on the process's own thread they would stop it answering its API, renewing its applier
// lease and reading its bus for that long. One worker per process, started by the first plan and
// kept for the next ones; it does not keep the process alive when idle.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PlanDocument } from '../core/plan/format.js';
import type { PlanRequest } from '../core/planner/index.js';
import { ValidationError, type Issue } from '../core/validation.js';

/** What the thread is sent: a plan request (the solver is the thread's own). */
export interface PlanningRequest {
  id: number;
  request: Omit<PlanRequest, 'exactSolver'>;
}

/** The thread's answer: the plan, or the error as it can cross threads. */
export interface PlanningReply {
  id: number;
  document?: PlanDocument;
  error?: { name: string; message: string; stack?: string; what?: string; issues?: Issue[] };
}

function startWorker(): Worker {
  // Beside this module: services/ from source, dist/services/ from tsc, dist/ulm/ in the CLI's bundle.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./planning-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(entry);
  // Run from TypeScript (the tests, through tsx): Node 20 gives a worker no module hooks of its
  // parent, so the worker registers tsx's before it loads the entry.
  // tsx/esm/api's ES module build, beside the CommonJS one require() finds (its package exports both).
  const tsx = new URL('./index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api'))).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true });
}

function errorOf(reply: NonNullable<PlanningReply['error']>): Error {
  const error = reply.issues && reply.what !== undefined ? new ValidationError(reply.what, reply.issues) : new Error(reply.message);
  error.name = reply.name;
  if (reply.stack) error.stack = reply.stack;
  return error;
}

let worker: Worker | null = null;
let lastId = 0;
const waiting = new Map<number, { resolve(document: PlanDocument): void; reject(error: Error): void }>();

function thread(): Worker {
  if (worker) return worker;
  const started = startWorker();
  const fail = (error: Error) => {
    if (worker === started) worker = null;
    for (const [id, { reject }] of waiting) {
      waiting.delete(id);
      reject(error);
    }
  };
  started.on('message', (reply: PlanningReply) => {
    const waiter = waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id);
    if (reply.error) waiter.reject(errorOf(reply.error));
    else waiter.resolve(reply.document!);
    if (!waiting.size) started.unref();
  });
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the planning thread stopped (exit code ${code})`)));
  worker = started;
  return started;
}

/** plan() with the exact step where it may serve (services/exact-solver.ts), off the process's thread. */
export function planInThread(request: Omit<PlanRequest, 'exactSolver'>): Promise<PlanDocument> {
  const planner = thread();
  planner.ref();
  const id = ++lastId;
  return new Promise<PlanDocument>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    planner.postMessage({ id, request } satisfies PlanningRequest);
  });
}
