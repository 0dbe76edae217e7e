/**
 * @module cli/config-dir
 * The config dir a command reads must exist and be a directory. Without this check a mistyped
 * `ALERTGATE_CONFIG_DIR` or `--config` reads as an empty estate: the only error shown would be
 * that the fallback team has no routes file, there being no routes/ folder, not that the dir is missing.
 */
import { stat } from 'node:fs/promises';

/** Why `dir` cannot be the config dir (naming it and where it came from), or undefined when it can. */
export async function configDirProblem(dir: string, from: string): Promise<string | undefined> {
  try {
    if ((await stat(dir)).isDirectory()) return undefined;
    return `config dir ${dir} (${from}) is not a directory`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `config dir ${dir} (${from}) does not exist`;
    return `cannot read config dir ${dir} (${from}): ${(err as Error).message}`;
  }
}
