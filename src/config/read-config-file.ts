/**
 * @module config/read-config-file
 * Every config file (routes/, rules/, dashboards/) is listed and read here, by every reader
 * (validate, generate, route-test, uptime, the gateway's load, reload and uptime checks): only a
 * file whose path, every link followed, stays inside the config folder's real path
 * (fs/read-inside.ts). One that leads outside it is an error at the file that names the link and
 * what it says, and nothing of what is there, nor whether anything is.
 */
import { realpathSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { readFileInside, readFileInsideSync, resolveInside, resolveInsideSync, type InsidePath, type InsideRead, type OutsideLink, type WalkOptions } from '../fs/read-inside.js';
import { danglingLinkProblem, linkLoopProblem, type NonFileEntries } from './skipped-entry.js';
import type { SourceError } from './source-error.js';

/**
 * The bytes of a file, or the problem to report at it. `unreadable`: the file system refused the
 * read (EIO, EMFILE, ENOENT mid-swap…), which may succeed again with the same files; a link
 * leading outside the config folder, or to nothing, is the config's own mistake.
 */
export type ConfigFileRead = { bytes: Buffer; problem?: undefined } | { problem: SourceError; unreadable: boolean; bytes?: undefined };

/** Names the link and its text only: both are the checkout's; what is at the target is not. */
export function outsideMessage(o: OutsideLink): string {
  return `a symbolic link that leads outside the config folder (${o.link} -> ${o.target}): not read, and nothing there looked at (alertgate reads only files inside the config folder); copy the file into the config folder or remove the link`;
}

export function outsideProblem(file: string, o: OutsideLink): SourceError {
  return { file, line: 1, col: 1, severity: 'error', message: outsideMessage(o) };
}

function fromRead(root: ConfigRoot, file: string, r: InsideRead): ConfigFileRead {
  if (r.dangling !== undefined) return { problem: danglingLinkProblem(file, r.dangling, root.nonFileEntries), unreadable: false };
  if (r.notFile !== undefined) return { problem: { file, line: 1, col: 1, severity: 'error', message: `${r.notFile}, not a regular file: not read; replace it with a file` }, unreadable: false };
  if (r.outside === undefined) return { bytes: r.bytes };
  return { problem: outsideProblem(file, r.outside), unreadable: false };
}

function fromError(root: ConfigRoot, file: string, err: unknown): ConfigFileRead {
  if ((err as NodeJS.ErrnoException).code === 'ELOOP') return { problem: linkLoopProblem(file, root.nonFileEntries), unreadable: false };
  return { problem: { file, line: 1, col: 1, severity: 'error', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }, unreadable: true };
}

/**
 * Where a config folder (routes/, rules/, dashboards/) is, resolved once per load: `rel`, its real
 * path relative to the config dir's (`..2026_01_01/rules` in a ConfigMap mount whose items have
 * paths, where `rules -> ..data/rules`); or the link leading it outside; or why it has none.
 */
export type FolderAt = { rel: string; outside?: undefined; error?: undefined } | { outside: OutsideLink; rel?: undefined; error?: undefined } | { error: unknown; rel?: undefined; outside?: undefined };

/**
 * The config dir and its real path (or why it has none), resolved once per load: every file's
 * path is walked from it, and a realpath per file doubled the file system lookups of a load.
 */
export interface ConfigRoot {
  dir: string;
  /**
   * A file found a link to nothing when read: an error in a checkout, a warning (the file is
   * skipped) for the gateway, as the listing reports it (config/skipped-entry.ts): a ConfigMap's
   * removed file dangles between the listing and the read while `..data` is swapped.
   */
  nonFileEntries: NonFileEntries;
  real: { path: string; error?: undefined } | { error: unknown; path?: undefined };
  /**
   * Each folder as first resolved in this load, by its listing or its first read; every later
   * read goes below it. Listed below the folder as given and read below the real path, a
   * `..data` swap between the two gave "cannot read file: ENOENT" for a file only the old
   * version had, or one version's listing with the other's files.
   */
  folders: Map<string, FolderAt>;
  /**
   * Each link the load's walks followed (absolute path) and what it said when first read; and
   * whether one said otherwise later in the load. A ConfigMap volume mounted at routes/ itself
   * (deploy/kubernetes/deployment.yaml) leaves routes/ put and moves only `routes/..data`: the
   * folders' resolution alone missed that swap, and the load gave ENOENT or a version mix.
   */
  links: Map<string, string>;
  linkChanged: boolean;
}

function newRoot(dir: string, nonFileEntries: NonFileEntries, real: ConfigRoot['real']): ConfigRoot {
  return { dir, nonFileEntries, folders: new Map(), links: new Map(), linkChanged: false, real };
}

/** The walk options of `root`'s reads: links followed are recorded in it. */
function walkOpts(root: ConfigRoot, realBase?: string): WalkOptions {
  return {
    givenRoot: root.dir,
    ...(realBase !== undefined && { realBase }),
    onLink: (at, target) => {
      const first = root.links.get(at);
      if (first === undefined) root.links.set(at, target);
      else if (first !== target) root.linkChanged = true;
    },
  };
}

export async function configRoot(dir: string, nonFileEntries: NonFileEntries = 'error'): Promise<ConfigRoot> {
  return newRoot(dir, nonFileEntries, await realpath(dir).then((p) => ({ path: p }), (error: unknown) => ({ error })));
}

export function configRootSync(dir: string, nonFileEntries: NonFileEntries = 'error'): ConfigRoot {
  try {
    return newRoot(dir, nonFileEntries, { path: realpathSync.native(dir) });
  } catch (error) {
    return newRoot(dir, nonFileEntries, { error });
  }
}

function folderFrom(rootReal: string, to: InsidePath): FolderAt {
  if (to.outside) return { outside: to.outside };
  // A folder that is a link to nothing is no folder, as an absent one.
  if (to.dangling !== undefined) return { error: Object.assign(new Error('ENOENT'), { code: 'ENOENT' }) };
  return { rel: path.relative(rootReal, to.real) };
}

/**
 * A load during which the config dir or one of its folders came to resolve elsewhere (a `..data`
 * or git-sync swap) is taken again, on the new version, up to this many loads in all: the kubelet
 * removes a ConfigMap's old version right after it swaps `..data`, so the files a load had yet to
 * read there are gone (`cannot read file: ENOENT`), or the whole folder is (read as absent: no
 * files, no error).
 */
export const MAX_LOADS_PER_SWAP = 3;

/** Whether `root`, a folder it resolved or a link its walks followed now says otherwise (a swap since). */
export async function rootMoved(root: ConfigRoot): Promise<boolean> {
  if (root.linkChanged) return true;
  for (const [at, target] of root.links) if ((await readlink(at).catch(() => undefined)) !== target) return true;
  const now = await configRoot(root.dir, root.nonFileEntries);
  if (now.real.path !== root.real.path) return true;
  for (const [folder, at] of root.folders) if ((await configFolder(now, folder)).rel !== at.rel) return true;
  return false;
}

/** `folder` (`rules`) of this load, resolved at its first use. */
export async function configFolder(root: ConfigRoot, folder: string): Promise<FolderAt> {
  const known = root.folders.get(folder);
  if (known) return known;
  const real = root.real.path;
  const at = real === undefined ? { error: root.real.error } : await resolveInside(real, folder, walkOpts(root)).then((to) => folderFrom(real, to), (error: unknown) => ({ error }));
  // Two first uses at once resolve it twice: the first stored is kept for both.
  return remember(root, folder, at);
}

/** configFolder, synchronously. */
export function configFolderSync(root: ConfigRoot, folder: string): FolderAt {
  const known = root.folders.get(folder);
  if (known) return known;
  const real = root.real.path;
  let at: FolderAt;
  try {
    at = real === undefined ? { error: root.real.error } : folderFrom(real, resolveInsideSync(real, folder, walkOpts(root)));
  } catch (error) {
    at = { error };
  }
  return remember(root, folder, at);
}

function remember(root: ConfigRoot, folder: string, at: FolderAt): FolderAt {
  return root.folders.get(folder) ?? (root.folders.set(folder, at), at);
}

/** The entry names of `folder` of this load, or why there are none (a refusal, an error). */
export async function listConfigFolder(root: ConfigRoot, folder: string): Promise<{ entries: string[] } | { outside: OutsideLink } | { error: unknown }> {
  const at = await configFolder(root, folder);
  if (at.rel === undefined) return at.outside ? { outside: at.outside } : { error: at.error };
  return readdir(path.join(root.real.path!, at.rel)).then((entries) => ({ entries }), (error: unknown) => ({ error }));
}

/** `name` of `folder/name`, read below the folder as resolved in this load. */
function nameIn(file: string): string {
  return file.slice(file.indexOf('/') + 1);
}

/**
 * `file` (relative to the config dir: `routes/payments.yaml`, as messages name it), read below its
 * folder as resolved in this load (configFolder), below the config dir's real path resolved at
 * the load's start, not below `root.dir`: a config dir that is itself a link swapped mid-load
 * (git-sync's `repo -> worktree-<hash>`), or a `..data` swapped below it, would otherwise send the
 * files read after the swap into the next version, outside the real path checked (an error
 * refusing the load) or a load mixing two versions.
 */
export async function readConfigFile(root: ConfigRoot, file: string): Promise<ConfigFileRead> {
  try {
    const at = await configFolder(root, file.split('/')[0]!);
    if (at.outside) return { problem: outsideProblem(file, at.outside), unreadable: false };
    if (at.rel === undefined) throw at.error;
    return fromRead(root, file, await readFileInside(root.real.path!, nameIn(file), walkOpts(root, at.rel)));
  } catch (err) {
    return fromError(root, file, err);
  }
}

/** readConfigFile, synchronously. */
export function readConfigFileSync(root: ConfigRoot, file: string): ConfigFileRead {
  try {
    const at = configFolderSync(root, file.split('/')[0]!);
    if (at.outside) return { problem: outsideProblem(file, at.outside), unreadable: false };
    if (at.rel === undefined) throw at.error;
    return fromRead(root, file, readFileInsideSync(root.real.path!, nameIn(file), walkOpts(root, at.rel)));
  } catch (err) {
    return fromError(root, file, err);
  }
}

/** What `folder/name` of this load is, by the same walk as its read (nothing outside looked at). */
export async function configEntryAt(root: ConfigRoot, folder: string, name: string): Promise<InsidePath | { error: unknown }> {
  const at = await configFolder(root, folder);
  if (at.rel === undefined) return at.outside ? { outside: at.outside } : { error: at.error };
  return resolveInside(root.real.path!, name, walkOpts(root, at.rel)).catch((error: unknown) => ({ error }));
}
