/**
 * @module bench/compare
 * A/B two gateway builds the way docs/performance.md does it: `bench/probe.ts` runs of A and B
 * taking turns (this machine kind drifts by ±10 % within minutes, so a before-and-after measures
 * the machine), then the medians of both and B ÷ A.
 *
 *   node --import tsx bench/compare.ts <A> <B>
 *
 * A and B are each a build directory (holding `dist/cli/run.js`, as `BENCH_GATEWAY_BUILD` takes)
 * or a git revision, compiled once into `node_modules/.cache/alertgate-compare/<commit>` from a
 * temporary worktree (so uncommitted changes are not in it: commit, or build a directory).
 * `COMPARE_PAIRS` (default 3) sets the turns; the probe's own knobs pass through (`PROBE_BATCH`,
 * `PROBE_RATE`, `PROBE_ROUNDS`, `PROBE_WARMUP_MS`, `PROBE_DURATION_MS`, `BENCH_GATEWAY_ENV`, …).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compareTable, summarize, type ProbeRound } from './support/compare-summary.js';
import { compileGateway } from './support/gateway-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

interface Build {
  label: string;
  dir: string;
}

/** A directory with a build in it, or a git revision compiled into one. */
async function resolveBuild(spec: string): Promise<Build> {
  if (existsSync(path.join(spec, 'dist', 'cli', 'run.js'))) return { label: spec, dir: path.resolve(spec) };
  const commit = await run('git', ['rev-parse', '--verify', `${spec}^{commit}`], { cwd: ROOT }).then(
    (r) => r.stdout.trim(),
    () => {
      throw new Error(`${spec} is neither a build directory (no dist/cli/run.js in it) nor a git revision`);
    },
  );
  const dir = path.join(ROOT, 'node_modules', '.cache', 'alertgate-compare', commit.slice(0, 12));
  if (!existsSync(path.join(dir, 'dist', 'cli', 'run.js'))) await compileRevision(commit, dir);
  return { label: `${spec} (${commit.slice(0, 7)})`, dir };
}

async function compileRevision(commit: string, dir: string): Promise<void> {
  process.stderr.write(`compare: compiling ${commit.slice(0, 7)} …\n`);
  const tree = path.join(await mkdtemp(path.join(tmpdir(), 'alertgate-compare-')), 'tree');
  await run('git', ['worktree', 'add', '--detach', tree, commit], { cwd: ROOT });
  try {
    // The revision compiles against this checkout's dependencies (its package-lock may differ).
    await symlink(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
    await compileGateway(tree, dir);
  } finally {
    await run('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT });
    await rm(path.dirname(tree), { recursive: true, force: true });
  }
}

/** One probe run of `build`: its rounds, each echoed as it comes. */
function probe(build: Build): Promise<ProbeRound[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'probe.ts')], {
      cwd: ROOT,
      env: { ...process.env, BENCH_GATEWAY_BUILD: build.dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rounds: ProbeRound[] = [];
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        const round = JSON.parse(line) as ProbeRound;
        rounds.push(round);
        const cpu = round.cpuMsPerWebhook;
        process.stdout.write(
          `${build.label}: ${round.webhooksPerS} webhooks/s, p99 ${round.p99Ms} ms, CPU per webhook event loop ${cpu.eventLoop} / writer ${cpu.writer} / others ${cpu.others} ms, client ${round.clientCpuMsPerWebhook} ms\n`,
        );
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(rounds) : reject(new Error(`bench/probe.ts of ${build.label} exited with ${code}`))));
  });
}

async function main(specA: string, specB: string, pairs: number): Promise<void> {
  // One after the other: two revisions are compiled one at a time (git worktrees, tsc on two CPUs).
  const a = await resolveBuild(specA);
  const b = await resolveBuild(specB);
  const rounds = new Map<Build, ProbeRound[]>([
    [a, []],
    [b, []],
  ]);
  for (let i = 0; i < pairs; i++) {
    for (const build of [a, b]) rounds.get(build)!.push(...(await probe(build)));
  }
  process.stdout.write(`\n${compareTable(summarize(a.label, rounds.get(a)!), summarize(b.label, rounds.get(b)!))}\n`);
}

const [specA, specB] = process.argv.slice(2);
const pairs = Number(process.env.COMPARE_PAIRS ?? 3);
if (!specA || !specB || !Number.isInteger(pairs) || pairs < 1) {
  process.stderr.write('usage: [COMPARE_PAIRS=<whole number ≥ 1>] node --import tsx bench/compare.ts <build dir or git revision A> <B>\n');
  process.exit(2);
}
await main(specA, specB, pairs).catch((err: unknown) => {
  process.stderr.write(`compare: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
