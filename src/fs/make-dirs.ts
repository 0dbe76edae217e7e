/**
 * @module fs/make-dirs
 * `mkdir -p` that ends where Node's recursive mkdir spins: shared by `generate --out`
 * (generate/write.ts) and the SQLite file's folder (store/open-store.ts).
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * `mkdir -p DIR`, one level at a time from the deepest that exists. Node's recursive mkdir
 * never returns where a directory's mkdir says ENOENT although its parent exists (/proc, whose
 * entries the kernel makes): it creates the parent (EEXIST) and tries again, for ever. Here that
 * is an error naming the directory, as is a file where a directory should be.
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    let found;
    try {
      found = await stat(at);
    } catch (err) {
      if (codeOf(err) !== 'ENOENT' || path.dirname(at) === at) throw err;
      missing.unshift(at);
      continue;
    }
    // Said here: below a file, SQLite would say only 'unable to open database file'.
    if (!found.isDirectory()) throw Object.assign(new Error(`${at} is not a directory (ENOTDIR)`), { code: 'ENOTDIR' });
    break;
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
