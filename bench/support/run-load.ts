/**
 * @module bench/support/run-load
 * Runs bench/load-client.ts as a separate process and returns its parsed result.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LoadResult, LoadSpec } from '../load-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/load-client.ts', JSON.stringify(spec)], {
    cwd: ROOT,
    maxBuffer: 256 * 2 ** 20,
  });
  return JSON.parse(stdout) as LoadResult;
}
