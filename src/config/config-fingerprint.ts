/**
 * @module config/config-fingerprint
 * What the config files on disk look like, without reading them: for each YAML file of routes/,
 * listed as the loader lists them (hidden entries skipped, symlinks followed inside the config
 * folder; one leading outside is its link's text, config/read-config-file.ts), its
 * size, modification and change times, device and inode. Cheap enough to take every few seconds
 * (config/config-watch.ts), and it sees a Kubernetes ConfigMap update: the kubelet writes new
 * files into a new folder and swaps the `..data` symlink to it, so every file reached through
 * the symlinks has a new inode even where its size and times are the old ones.
 */
import { stat } from 'node:fs/promises';
import { configEntryAt, configRoot, listConfigFolder, type ConfigRoot } from './read-config-file.js';
import { ROUTES_DIR } from './load-routes.js';

/** `folder/file` → its identity on disk; a folder that cannot be listed → `folder/` with the error code. */
export type ConfigFingerprint = ReadonlyMap<string, string>;

/**
 * What a reload reads (config/load-routes.ts), and only that: a change elsewhere would log
 * `config changed on disk; reloading` for a reload that changes nothing. rules/ is not here: the
 * uptime checks read it again by themselves every few seconds (uptime/checks-source.ts).
 */
const WATCHED_FOLDERS = [ROUTES_DIR];

async function folderFingerprint(root: ConfigRoot, folder: string, into: Map<string, string>): Promise<void> {
  const listed = await listConfigFolder(root, folder);
  if ('outside' in listed) return void into.set(`${folder}/`, `outside ${listed.outside.link} -> ${listed.outside.target}`);
  if ('error' in listed) {
    // An absent folder is no files, as for the loader.
    const code = (listed.error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') into.set(`${folder}/`, `error ${code ?? String(listed.error)}`);
    return;
  }
  const names = listed.entries.filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
  // The links walked as a load walks them: one leading outside is its link's text, its target
  // not looked at (a load refuses it the same whatever is there).
  const at = await Promise.all(names.map((name) => configEntryAt(root, folder, name)));
  const stats = await Promise.all(at.map((to) => ('real' in to && to.real !== undefined ? stat(to.real, { bigint: true }).catch(() => undefined) : undefined)));
  names.forEach((name, i) => {
    const to = at[i]!;
    if ('outside' in to && to.outside) return void into.set(`${folder}/${name}`, `outside ${to.outside.link} -> ${to.outside.target}`);
    const s = stats[i];
    // Not a file (a dangling symlink mid-swap, a folder): the loader skips it too.
    if (s?.isFile()) into.set(`${folder}/${name}`, `${s.size} ${s.mtimeNs} ${s.ctimeNs} ${s.dev}:${s.ino}`);
  });
}

export async function configFingerprint(dir: string): Promise<ConfigFingerprint> {
  const fingerprint = new Map<string, string>();
  const root = await configRoot(dir);
  for (const folder of WATCHED_FOLDERS) await folderFingerprint(root, folder, fingerprint);
  return fingerprint;
}

export interface FingerprintChanges {
  added: number;
  removed: number;
  changed: number;
}

/** How many files appeared, went and changed between two fingerprints (counts for the log: no names, no contents). */
export function fingerprintChanges(before: ConfigFingerprint, after: ConfigFingerprint): FingerprintChanges {
  const changes: FingerprintChanges = { added: 0, removed: 0, changed: 0 };
  for (const [path, identity] of after) {
    const was = before.get(path);
    if (was === undefined) changes.added += 1;
    else if (was !== identity) changes.changed += 1;
  }
  for (const path of before.keys()) if (!after.has(path)) changes.removed += 1;
  return changes;
}

export function sameFingerprint(a: ConfigFingerprint, b: ConfigFingerprint): boolean {
  const c = fingerprintChanges(a, b);
  return c.added + c.removed + c.changed === 0;
}
