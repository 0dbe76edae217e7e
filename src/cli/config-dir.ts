/**
 * @module cli/config-dir
 * The config dir (routes/, rules/, dashboards/) of every command that reads it: `--config DIR`,
 * else `ALERTGATE_CONFIG_DIR`, else the current directory, relative to the working directory.
 * One definition, so a platform engineer can point any command at a checkout without a cd.
 *
 * It must exist and be a directory. Without this check a mistyped `ALERTGATE_CONFIG_DIR` or
 * `--config` reads as an empty estate: the only error shown would be that the fallback team has
 * no routes file, there being no routes/ folder, not that the dir is missing.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CliIO } from './io.js';

/** The `--config` option, for a command's parseOptions. */
export const CONFIG_OPTION = { config: { type: 'string' } } as const;

/** The `--config DIR` line of a command's help, its description starting at column `at`. */
export function configOptionHelp(at: number): string {
  return `  ${'--config DIR'.padEnd(at - 2)}config dir (default: ALERTGATE_CONFIG_DIR or the current directory)`;
}

/** The config dir, absolute; or why it cannot be one (naming it and where it came from). */
export type ConfigDir = { dir: string; problem?: undefined } | { dir?: undefined; problem: string };

/** The config dir `--config` (`flag`, as parsed; undefined when not given) or the environment names, checked. */
export async function resolveConfigDir(io: CliIO, flag: string | undefined): Promise<ConfigDir> {
  // `--config "$DIR"` with DIR unset would otherwise check the working directory.
  if (flag === '') return { problem: '--config is empty: give the config dir' };
  // Trimmed as HOST, DATABASE_URL and FALLBACK_TEAM are (config/env): a value from a ConfigMap or
  // a file keeps its newline, which made the path one that does not exist, shown broken over two lines.
  const fromEnv = io.env.ALERTGATE_CONFIG_DIR?.trim();
  const [given, from] = flag !== undefined ? [flag, '--config'] : fromEnv ? [fromEnv, 'ALERTGATE_CONFIG_DIR'] : ['.', 'the current directory'];
  const dir = path.resolve(io.cwd, given);
  const problem = await configDirProblem(dir, from);
  return problem === undefined ? { dir } : { problem };
}

/** Why `dir` cannot be the config dir (naming it and where it came from), or undefined when it can. */
async function configDirProblem(dir: string, from: string): Promise<string | undefined> {
  try {
    if ((await stat(dir)).isDirectory()) return undefined;
    return `config dir ${dir} (${from}) is not a directory`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `config dir ${dir} (${from}) does not exist`;
    return `cannot read config dir ${dir} (${from}): ${(err as Error).message}`;
  }
}
