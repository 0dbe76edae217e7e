/**
 * @module config/read-config-file
 * Every config file (routes/, rules/, dashboards/) is read here, by every reader (validate,
 * generate, route-test, uptime, the gateway's load, reload and uptime checks): only a file whose
 * real path lies inside the config folder's (fs/read-inside.ts). One that leads outside it is an
 * error at the file that names where the link leads and nothing of what is there.
 */
import path from 'node:path';
import { readFileInside, readFileInsideSync, type InsideRead } from '../fs/read-inside.js';
import { danglingLinkProblem } from './skipped-entry.js';
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

function fromRead(file: string, r: InsideRead): ConfigFileRead {
  if (r.dangling !== undefined) return { problem: danglingLinkProblem(file, r.dangling), unreadable: false };
  if (r.outside === undefined) return { bytes: r.bytes };
  return { problem: { file, line: 1, col: 1, severity: 'error', message: outsideMessage(r.outside) }, unreadable: false };
}

function fromError(file: string, err: unknown): ConfigFileRead {
  return { problem: { file, line: 1, col: 1, severity: 'error', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }, unreadable: true };
}

/** `file` (relative to the config dir `dir`: `routes/payments.yaml`, as messages name it). */
export async function readConfigFile(dir: string, file: string): Promise<ConfigFileRead> {
  try {
    return fromRead(file, await readFileInside(dir, path.join(dir, file)));
  } catch (err) {
    return fromError(file, err);
  }
}

/** readConfigFile, synchronously. */
export function readConfigFileSync(dir: string, file: string): ConfigFileRead {
  try {
    return fromRead(file, readFileInsideSync(dir, path.join(dir, file)));
  } catch (err) {
    return fromError(file, err);
  }
}
