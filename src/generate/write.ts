/**
 * @module generate/write
 * Apply a plan (generate/check.ts) to DIR: write created and updated files, delete stale
 * generated ones. Writing is the only step of `generate` with side effects.
 *
 * Never through a symbolic link: planOutputs refuses a link at a generated name, and a link
 * made after it (between the plan and the write) fails the write here (O_NOFOLLOW: ELOOP)
 * instead of overwriting the file it points to.
 */
import { constants } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDirs } from '../fs/make-dirs.js';
import type { Change } from './check.js';

const WRITE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

export async function applyPlan(dir: string, changes: Change[]): Promise<void> {
  await makeDirs(dir);
  for (const c of changes) {
    const target = path.join(dir, c.file);
    if (c.kind === 'delete') {
      await rm(target, { force: true });
    } else {
      await makeDirs(path.dirname(target));
      await writeFile(target, c.after, { encoding: 'utf8', flag: WRITE_NO_FOLLOW });
    }
  }
}
