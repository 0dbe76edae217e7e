/**
 * How the process tests start `alertgate`: node running src/ as compiled for this test run by
 * test/global/compile-src.global.ts (fresh from the current sources at every run). Without that
 * global setup (a config that does not list it), through tsx from src/ directly, as before.
 * Either way by absolute paths, so a test may run it from any working directory.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inject } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Node's arguments that run `alertgate` (what follows them are the CLI's own arguments). */
export function alertgateArgs(): string[] {
  const compiled = inject('compiledSrc');
  if (compiled) return ['--enable-source-maps', join(compiled, 'cli', 'run.js')];
  return ['--import', pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href, join(ROOT, 'src/cli/run.ts')];
}

/**
 * Environment the command needs besides the test's own: tsx told where tsconfig.json is (it
 * looks in the working directory, and the sources' JSX settings are there). Unused by the
 * compiled copy, harmless to it.
 */
export const ALERTGATE_ENV = { TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json') };
