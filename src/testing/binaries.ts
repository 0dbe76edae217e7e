/**
 * @module testing/binaries
 * External binaries (promtool, prometheus, prometheus-alertmanager) for tests. The contract:
 * with `CI=true` a missing binary fails the run; elsewhere the suite is skipped with a loud
 * reason on stderr, so a developer without the Debian packages still sees what did not run.
 *
 * @example
 * const promtool = requireBinary('promtool');
 * describe.skipIf(!promtool)('promtool', () => { … });
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Absolute path of the executable `name` on PATH, or undefined. Never throws. */
export function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Like findBinary, for test suites: a missing binary throws under `CI=true` (the run must fail)
 * and otherwise prints a loud skip reason and answers undefined (the suite skips itself).
 */
export function requireBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = findBinary(name, env);
  if (found !== undefined) return found;
  const reason = `${name} is not on PATH (Debian packages prometheus and prometheus-alertmanager; .ci/run installs them)`;
  if (env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  process.stderr.write(`\n!!! SKIPPING tests that need ${name}: ${reason}\n\n`);
  return undefined;
}
