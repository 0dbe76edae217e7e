/**
 * @module bench/support/gateway-process
 * The gateway under test as its own OS process, run from a compiled build (so neither tsx nor
 * the load shares its CPU time with the figures). The build goes to
 * `node_modules/.cache/alertgate-bench/` (not `dist/`, which other tools own) once per bench run;
 * `BENCH_SKIP_BUILD=1` reuses the previous one. `BENCH_CPU_PROF=<dir>` starts the gateway with
 * `--cpu-prof` writing there, for profiling a benchmark. The gateway gets the NODE_OPTIONS and
 * MALLOC_ARENA_MAX the container image sets (`ENV` in the Dockerfile: the heap limit and the
 * glibc arenas it ships with); `BENCH_GATEWAY_NODE_OPTIONS` replaces the NODE_OPTIONS (`''` for
 * V8's defaults) and `BENCH_GATEWAY_ENV` may replace MALLOC_ARENA_MAX; `BENCH_GATEWAY_NODE_ARGS` adds
 * flags NODE_OPTIONS refuses (`--single-threaded-gc`, `--trace-opt`); `BENCH_GATEWAY_ENV` (a JSON object)
 * adds environment variables; `BENCH_GATEWAY_BUILD=<dir>` runs
 * `<dir>/dist/cli/run.js` instead (another build to compare with; nothing is compiled then).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freeTcpPort } from '../../src/testing/free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD = path.join(ROOT, 'node_modules', '.cache', 'alertgate-bench');
const OTHER_BUILD = process.env.BENCH_GATEWAY_BUILD;
const ENTRY = path.join(OTHER_BUILD ?? BUILD, 'dist', 'cli', 'run.js');

/** A variable the shipped container image sets (`ENV NAME=value` in the Dockerfile), or ''. */
export function imageEnv(name: string): string {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  return new RegExp(`^\\s*(?:ENV\\s.*\\s|)${name}=(\\S+)`, 'm').exec(dockerfile.replace(/\\\n/g, ' '))?.[1] ?? '';
}

/** NODE_OPTIONS of the shipped container image, so the gateway is measured as deployed. */
export function imageNodeOptions(): string {
  return imageEnv('NODE_OPTIONS');
}

/** The image's glibc malloc setting (Dockerfile); `BENCH_GATEWAY_ENV` may override it. */
const IMAGE_MALLOC_ARENAS = imageEnv('MALLOC_ARENA_MAX');
const IMAGE_MALLOC_ENV = IMAGE_MALLOC_ARENAS ? { MALLOC_ARENA_MAX: IMAGE_MALLOC_ARENAS } : {};

const GATEWAY_NODE_OPTIONS = process.env.BENCH_GATEWAY_NODE_OPTIONS ?? imageNodeOptions();
/** Extra node/V8 command-line flags (those NODE_OPTIONS refuses, e.g. `--single-threaded-gc`). */
const GATEWAY_NODE_ARGS = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/** More environment for the gateway, as a JSON object (`BENCH_GATEWAY_ENV='{"OUTBOX_CONCURRENCY":"16"}'`), for A/B runs of a setting. */
const GATEWAY_EXTRA_ENV = parseExtraEnv(process.env.BENCH_GATEWAY_ENV);

/** MALLOC_ARENA_MAX a bench gateway runs with, unless a benchmark's own env sets it ('' for glibc's default). */
export function gatewayMallocArenas(): string {
  return GATEWAY_EXTRA_ENV.MALLOC_ARENA_MAX ?? IMAGE_MALLOC_ARENAS;
}

function parseExtraEnv(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new Error(`BENCH_GATEWAY_ENV must be a JSON object of strings, got ${text}`);
  }
  return value as Record<string, string>;
}

let built: Promise<void> | undefined;

/** The latest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Compile src/ once per process (tsc, the same settings as `npm run build`). */
export function buildGateway(): Promise<void> {
  built ??= (async () => {
    if (OTHER_BUILD !== undefined) return;
    if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(ENTRY)) {
      // A reused build silently measures old code: say so when src/ changed after it was made.
      const builtAt = statSync(ENTRY).mtimeMs;
      const newer = newestMtime(path.join(ROOT, 'src'));
      if (newer > builtAt) process.stderr.write('bench: WARNING: BENCH_SKIP_BUILD=1 reuses a build older than src/; the figures are of the old code\n');
      return;
    }
    process.stderr.write('bench: compiling the gateway (tsc) …\n');
    await compileGateway(ROOT, BUILD);
  })();
  return built;
}

/**
 * Compile the gateway in `sourceRoot` (this checkout, or a worktree of another revision) into
 * `buildDir`/dist with the settings of `npm run build`, as `BENCH_GATEWAY_BUILD` takes it.
 */
export async function compileGateway(sourceRoot: string, buildDir: string): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(buildDir, 'dist')], {
    cwd: sourceRoot,
    maxBuffer: 16 * 2 ** 20,
  });
  // node_modules/ ends package scope lookups: say the build is ESM.
  await mkdir(buildDir, { recursive: true });
  await writeFile(path.join(buildDir, 'package.json'), '{"type":"module"}\n');
}

export interface BenchGateway {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Current and peak resident set size of the gateway process, MiB (from /proc). */
  memory(): { rssMiB: number; peakRssMiB: number };
  /** CPU seconds the gateway process has used (from /proc). */
  cpuSeconds(): number;
  /** Signal the process and wait for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string>;
  /** The gateway's stdout/stderr (JSON logs) go to this file. */
  logFile: string;
  readyTimeoutMs?: number;
}

function procStatusKiB(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

const CLOCK_TICKS = 100;

export async function startBenchGateway(o: StartOptions): Promise<BenchGateway> {
  await buildGateway();
  const port = await freeTcpPort();
  const log = openSync(o.logFile, 'a');
  const profDir = process.env.BENCH_CPU_PROF;
  if (profDir) await mkdir(profDir, { recursive: true });
  const child = spawn(process.execPath, [...GATEWAY_NODE_ARGS, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), ENTRY, 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...(GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: GATEWAY_NODE_OPTIONS } : {}),
      ...IMAGE_MALLOC_ENV,
      ...o.env,
      ...GATEWAY_EXTRA_ENV,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (gone) throw new Error(`gateway exited before ready; log: ${readFileSync(o.logFile, 'utf8').slice(-2000)}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway not ready after ${o.readyTimeoutMs ?? 30_000} ms; log: ${readFileSync(o.logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    memory: () => ({ rssMiB: procStatusKiB(pid, 'VmRSS') / 1024, peakRssMiB: procStatusKiB(pid, 'VmHWM') / 1024 }),
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}

/** The gateway's `/metrics` text. */
export async function metricsText(gw: BenchGateway): Promise<string> {
  return (await fetch(`${gw.url}/metrics`)).text();
}

/**
 * Of the webhooks answered 202 between two `/metrics` texts, the share (%) the gateway itself
 * took longer than `le` seconds over (`alertgate_webhook_duration_seconds`: request read →
 * answer; `le` is one of its bucket bounds, as written there). Set beside the load client's
 * latency, it says how much of a tail is the gateway's: the client's figure adds the time a
 * request waits before the gateway reads it, the network and the client's own lateness.
 */
export function slowAnswersPct(before: string, after: string, le: string): number {
  const line = (text: string, bound: string) =>
    text.split('\n').find((l) => l.startsWith('alertgate_webhook_duration_seconds_bucket{') && l.includes(`le="${bound}"`) && l.includes('code="202"'));
  // A series not there yet (no 202 answered before) counts 0.
  const count = (text: string, bound: string) => Number(line(text, bound)?.split(' ').at(-1) ?? 0);
  if (line(after, '+Inf') !== undefined && line(after, le) === undefined) throw new Error(`alertgate_webhook_duration_seconds has no bucket le="${le}"`);
  const all = count(after, '+Inf') - count(before, '+Inf');
  const within = count(after, le) - count(before, le);
  return all > 0 ? ((all - within) / all) * 100 : Number.NaN;
}

/** The outbox depth in a `/metrics` text (NaN when absent). */
export function outboxDepth(metrics: string): number {
  return Number(/^alertgate_outbox_depth (\S+)$/m.exec(metrics)?.[1] ?? NaN);
}

/** Wait (bounded) until the gateway has delivered everything its last run queued. */
export async function outboxDrained(gw: BenchGateway, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depth = outboxDepth(await metricsText(gw));
    if (depth === 0) return;
    if (Date.now() > deadline) throw new Error(`outbox still holds ${depth} notifications after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
