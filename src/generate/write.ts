/**
 * @module generate/write
 * Apply a plan (generate/check.ts) to DIR: write created and updated files, delete stale
 * generated ones. Writing is the only step of `generate` with side effects.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDirs } from '../fs/make-dirs.js';
import type { Change } from './check.js';

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
