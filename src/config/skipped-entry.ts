/**
 * @module config/skipped-entry
 * Why a `.yaml` entry of a config folder that is no file is skipped: a symbolic link that points
 * nowhere (a file moved in a pull request, its link left behind) or a folder. Skipping it
 * silently made a team's alerts or boards vanish from the output while `validate` said ok; a
 * warning, not an error, because a ConfigMap mount's removed files dangle for a moment while the
 * kubelet swaps `..data`, and a reload then must not fail.
 */
import { lstat, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SourceError } from './source-error.js';

/** `folder/name` (under `dir`) as a file to read, or the warning saying why it is skipped. */
export async function checkConfigEntry(dir: string, folder: string, name: string): Promise<{ isFile: boolean; warning?: SourceError }> {
  const full = path.join(dir, folder, name);
  const s = await stat(full).catch(() => undefined);
  if (s?.isFile()) return { isFile: true };
  const team = name.replace(/\.ya?ml$/, '');
  const what = { routes: 'routes', rules: 'rules', dashboards: 'dashboards' }[folder] ?? folder;
  const skipped = `skipped, so team "${team}" has no ${what} file`;
  let why: string | undefined;
  if (s?.isDirectory()) why = 'a folder, not a file';
  else if (!s) {
    const l = await lstat(full).catch(() => undefined);
    if (l?.isSymbolicLink()) {
      const target = await readlink(full).catch(() => undefined);
      why = target === undefined ? 'a symbolic link that cannot be followed' : `a symbolic link to ${target}, which does not exist`;
    }
  }
  // Anything else (a socket, an entry gone since the listing) is skipped as before.
  if (why === undefined) return { isFile: false };
  return { isFile: false, warning: { file: `${folder}/${name}`, line: 1, col: 1, severity: 'warning', message: `${why}: ${skipped}` } };
}
