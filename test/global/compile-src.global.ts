/**
 * Global setup: compiles src/ once per test run, so the tests that spawn `alertgate` as a real
 * process (test/support/alertgate-command.ts) and the worker threads the code under test starts
 * (threads-from-build.setup.ts) run plain JavaScript instead of going through tsx at every start.
 * tsx's loader costs ~0.4 s of CPU per process or thread start on a quiet machine (1.2 s on a
 * loaded CI runner): for the hundreds the suite starts, far more than this build (~0.5 s).
 *
 * The build is made fresh from the current src/ at every run (never dist/, which can be stale),
 * with the esbuild that tsx itself runs and tsx's own transform settings (target: this Node,
 * keepNames), one file per module as tsx loads them: what runs is what tsx would have run.
 * It goes into a fresh folder at the repository root, the depth of dist/, so the relative paths
 * of the code (`../../package.json` for the version) and package lookups resolve as in dist/.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder holding src/ compiled to JavaScript (cli/run.js is the CLI's entry). */
    compiledSrc: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every module of src/ a process can load: the sources, not their tests. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Compiles every module of src/ into `outdir` (written over: a rerun rebuilds in place). */
async function compile(outdir: string): Promise<void> {
  // tsx's esbuild: the same transform tsx applies to each module when it loads it.
  const esbuildPath = createRequire(createRequire(import.meta.url).resolve('tsx/esm/api')).resolve('esbuild');
  const esbuild = (await import(esbuildPath)) as typeof import('esbuild');
  await esbuild.build({
    entryPoints: sourceFiles(join(ROOT, 'src')),
    outdir,
    outbase: join(ROOT, 'src'),
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    keepNames: true,
    // A process test's stack traces name src/ lines (the copy is deleted when the run ends).
    sourcemap: 'inline',
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'warning',
  });
}

export default async function setup(project: TestProject): Promise<() => void> {
  const started = performance.now();
  const outdir = mkdtempSync(join(ROOT, '.test-build-'));
  try {
    await compile(outdir);
  } catch (err) {
    rmSync(outdir, { recursive: true, force: true });
    throw err;
  }
  // Watch mode: the sources changed, so the copy is made again before the tests run again.
  project.onTestsRerun(() => compile(outdir));
  project.provide('compiledSrc', outdir);
  if (process.env.ALERTGATE_TEST_BUILD_TIMING) process.stderr.write(`compiled src/ into ${relative(ROOT, outdir)} in ${(performance.now() - started).toFixed(0)} ms\n`);
  return () => rmSync(outdir, { recursive: true, force: true });
}
