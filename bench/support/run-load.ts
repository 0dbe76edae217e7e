/**
 * @module bench/support/run-load
 * Runs bench/load-client.ts (or another bench script that prints one JSON result) as a separate
 * process and returns its parsed result.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LoadResult, LoadSpec } from '../load-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** In flight at most in the fixed-rate (open-loop) ack runs; beyond it scheduled requests queue. */
export const FIXED_RATE_MAX_IN_FLIGHT = 512;

/** Runs `script` (a path from the repository root) with `spec` as its argument; parses its stdout. */
export async function runBenchScript<R>(script: string, spec: unknown): Promise<R> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, JSON.stringify(spec)], {
    cwd: ROOT,
    maxBuffer: 256 * 2 ** 20,
  });
  return JSON.parse(stdout) as R;
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return runBenchScript<LoadResult>('bench/load-client.ts', spec);
}
