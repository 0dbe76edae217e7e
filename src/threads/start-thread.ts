/**
 * @module threads/start-thread
 * Starts a worker thread running one of our modules. Built code runs the `.js` file beside the
 * caller; from TypeScript sources (tests, `tsx`) the thread registers tsx first, because Node 20
 * does not carry the parent's loader into a worker — unless a compiled copy of these sources
 * was named (`runThreadsFromBuild`), which the thread then runs instead.
 */
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';

/** src/, as this module sees it (a compiled copy keeps its layout). */
const SOURCES = fileURLToPath(new URL('..', import.meta.url));
let buildOfSources: string | undefined;

/**
 * Threads started from the TypeScript sources run `dir`'s compiled copy of them (same layout,
 * `.js`) instead of registering tsx in each new thread, which costs ~0.5 s of CPU per thread
 * (tsx's loader thread, a round trip to it per module): the test suite opens hundreds of file
 * stores. `dir` must be compiled from these very sources (test/global/compile-src.global.ts
 * makes it fresh for every test run). Does nothing to built code, which runs its own `.js`.
 */
export function runThreadsFromBuild(dir: string | undefined): void {
  buildOfSources = dir;
}

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
  if (buildOfSources !== undefined) {
    const compiled = pathToFileURL(`${buildOfSources}/${relative(SOURCES, fileURLToPath(entry)).replace(/\.ts$/, '.js')}`);
    return new Worker(compiled, options);
  }
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, ...options });
}
