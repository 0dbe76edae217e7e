/**
 * @module threads/start-thread
 * Starts a worker thread running one of our modules. Built code runs the `.js` file beside the
 * caller; from TypeScript sources (tests, `tsx`) the thread registers tsx first, because Node 20
 * does not carry the parent's loader into a worker.
 */
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';

/** `caller`: the starting module's `import.meta.url`; `name`: the module's file name without extension. */
export function startThread(
  caller: string,
  name: string,
  workerData: unknown,
  transferList: Transferable[] = [],
  resourceLimits?: ResourceLimits,
): Worker {
  const fromSources = caller.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, caller);
  const options = { workerData, transferList, ...(resourceLimits ? { resourceLimits } : {}) };
  if (!fromSources) return new Worker(entry, options);
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, ...options });
}
