/**
 * @module generate/write
 * Apply a plan (generate/check.ts) to DIR: write created and updated files, delete stale
 * generated ones. Writing is the only step of `generate` with side effects.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Change } from './check.js';

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * `mkdir -p DIR`, one level at a time from the deepest that exists. Node's recursive mkdir
 * never returns where a directory's mkdir says ENOENT although its parent exists (/proc, whose
 * entries the kernel makes): it creates the parent (EEXIST) and tries again, for ever. Here that
 * is an error naming the directory.
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      await stat(at);
      break; // a file here: what is made or written below it fails with ENOTDIR
    } catch (err) {
      if (codeOf(err) !== 'ENOENT' || path.dirname(at) === at) throw err;
      missing.unshift(at);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (err) {
      if (codeOf(err) === 'EEXIST' && (await stat(d)).isDirectory()) continue; // made meanwhile
      if (codeOf(err) === 'ENOENT') throw new Error(`cannot create directory ${d}: ${path.dirname(d)} exists but takes no new directory there (ENOENT)`);
      throw err;
    }
  }
}

export async function applyPlan(dir: string, changes: Change[]): Promise<void> {
  await makeDirs(dir);
  for (const c of changes) {
    const target = path.join(dir, c.file);
    if (c.kind === 'delete') {
      await rm(target, { force: true });
    } else {
      await makeDirs(path.dirname(target));
      await writeFile(target, c.after, 'utf8');
    }
  }
}
