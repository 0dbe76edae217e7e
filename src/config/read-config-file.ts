/**
 * @module config/read-config-file
 * Every config file (routes/, rules/, dashboards/) is read here, by every reader (validate,
 * generate, route-test, uptime, the gateway's load, reload and uptime checks): only a file whose
 * real path lies inside the config folder's (fs/read-inside.ts). One that leads outside it is an
 * error at the file that names where the link leads and nothing of what is there.
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { readFileInside, readFileInsideSync, type InsideRead } from '../fs/read-inside.js';
import { danglingLinkProblem, type NonFileEntries } from './skipped-entry.js';
import type { SourceError } from './source-error.js';

/**
 * The bytes of a file, or the problem to report at it. `unreadable`: the file system refused the
 * read (EIO, EMFILE, ENOENT mid-swap…), which may succeed again with the same files; a link
 * leading outside the config folder, or to nothing, is the config's own mistake.
 */
export type ConfigFileRead = { bytes: Buffer; problem?: undefined } | { problem: SourceError; unreadable: boolean; bytes?: undefined };

export function outsideMessage(target: string): string {
  return `a symbolic link that leads outside the config folder, to ${target}: not read (alertgate reads only files inside the config folder); copy the file into the config folder or remove the link`;
}

function fromRead(root: ConfigRoot, file: string, r: InsideRead): ConfigFileRead {
  if (r.dangling !== undefined) return { problem: danglingLinkProblem(file, r.dangling, root.nonFileEntries), unreadable: false };
  if (r.outside === undefined) return { bytes: r.bytes };
  return { problem: { file, line: 1, col: 1, severity: 'error', message: outsideMessage(r.outside) }, unreadable: false };
}

function fromError(file: string, err: unknown): ConfigFileRead {
  return { problem: { file, line: 1, col: 1, severity: 'error', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }, unreadable: true };
}

/**
 * The config dir and its real path (or why it has none), resolved once per load: every file's real
 * path is compared to it, and a realpath per file doubled the file system lookups of a load.
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
}

export async function configRoot(dir: string, nonFileEntries: NonFileEntries = 'error'): Promise<ConfigRoot> {
  return { dir, nonFileEntries, real: await realpath(dir).then((p) => ({ path: p }), (error: unknown) => ({ error })) };
}

export function configRootSync(dir: string, nonFileEntries: NonFileEntries = 'error'): ConfigRoot {
  try {
    return { dir, nonFileEntries, real: { path: realpathSync.native(dir) } };
  } catch (error) {
    return { dir, nonFileEntries, real: { error } };
  }
}

/**
 * `file` (relative to the config dir: `routes/payments.yaml`, as messages name it), read below the
 * config dir's real path resolved at the load's start, not below `root.dir`: a config dir that is
 * itself a link swapped mid-load (git-sync's `repo -> worktree-<hash>`) would otherwise send the
 * files read after the swap into the next commit's folder, outside the real path checked (an
 * error refusing the load) or, checked against a fresh real path, a load mixing two commits.
 */
export async function readConfigFile(root: ConfigRoot, file: string): Promise<ConfigFileRead> {
  try {
    if (root.real.path === undefined) throw root.real.error;
    return fromRead(root, file, await readFileInside(root.real.path, path.join(root.real.path, file)));
  } catch (err) {
    return fromError(file, err);
  }
}

/** readConfigFile, synchronously. */
export function readConfigFileSync(root: ConfigRoot, file: string): ConfigFileRead {
  try {
    if (root.real.path === undefined) throw root.real.error;
    return fromRead(root, file, readFileInsideSync(root.real.path, path.join(root.real.path, file)));
  } catch (err) {
    return fromError(file, err);
  }
}
