/**
 * @module generate/write
 * Apply a plan (generate/check.ts) to DIR: write created and updated files, delete stale
 * generated ones. Writing is the only step of `generate` with side effects.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Change } from './check.js';

export async function applyPlan(dir: string, changes: Change[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const c of changes) {
    const target = path.join(dir, c.file);
    if (c.kind === 'delete') {
      await rm(target, { force: true });
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, c.after, 'utf8');
    }
  }
}
