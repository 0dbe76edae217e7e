/**
 * @module fs/read-inside
 * Read a file only when its real path (every symbolic link followed, in the file's name and in
 * its folders') lies inside a folder's real path. The config files are read from a checkout that
 * `validate` checks in CI on pull requests: a file that is a link to `/etc/shadow` or a CI secret
 * was read, and bits of it (its top-level keys, whole lines of colon-separated formats) were
 * printed in the error messages, into the CI log. Links that stay inside the folder, as a
 * Kubernetes ConfigMap mount's `<file> -> ..data/<file>`, `..data -> ..<timestamp>` are, are read.
 *
 * The path read is the real path checked, not the one given, so the links on the given path are
 * not followed a second time: one of them swapped between the check and the read (the kubelet's
 * `..data`) leaves the read on the file checked, or fails it (ENOENT). It is no guard against
 * whoever can write inside the checked path's folders while alertgate reads: the read follows
 * any link put in place of the file or of one of its folders after the check (no O_NOFOLLOW, no
 * check of the opened file). What it guards against, a checkout's committed links, stays put
 * between the check and the read.
 */
import { lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { lstat, readFile, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * The file's bytes, or where outside `root` its path leads (nothing of it was read), or, for a
 * file that is a symbolic link to nothing, what the link says (`dangling`).
 */
export type InsideRead =
  | { bytes: Buffer; outside?: undefined; dangling?: undefined }
  | { outside: string; bytes?: undefined; dangling?: undefined }
  | { dangling: string; bytes?: undefined; outside?: undefined };

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** `real` is `root` or below it (both real paths); a name such as `..x` in `root` is below it. */
function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * `file` (absolute, or relative to the working directory) if its real path is inside `rootReal`,
 * the folder's real path (realpath of the folder, which may itself be a link: resolved once by the
 * caller for all the files of a load, not once per file). Errors of the file system (ENOENT, EIO,
 * …) are thrown as they are.
 */
export async function readFileInside(rootReal: string, file: string): Promise<InsideRead> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (err) {
    // A link left pointing nowhere is a mistake of the folder's, not a refusal that may pass.
    const target = isNotFound(err) && (await lstat(file).catch(() => undefined))?.isSymbolicLink() ? await readlink(file).catch(() => undefined) : undefined;
    if (target !== undefined) return { dangling: target };
    throw err;
  }
  if (!isInside(rootReal, real)) return { outside: real };
  return { bytes: await readFile(real) };
}

/** readFileInside, synchronously (config/check-team-file.ts reads its files so, for speed). */
export function readFileInsideSync(rootReal: string, file: string): InsideRead {
  let real: string;
  try {
    real = realpathSync.native(file);
  } catch (err) {
    const target = isNotFound(err) && lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() ? tryReadlink(file) : undefined;
    if (target !== undefined) return { dangling: target };
    throw err;
  }
  if (!isInside(rootReal, real)) return { outside: real };
  return { bytes: readFileSync(real) };
}

function tryReadlink(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}
