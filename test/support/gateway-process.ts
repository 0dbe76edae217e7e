/**
 * Test harness: the gateway as a separate OS process (`alertgate serve`, src/ as compiled for this run: support/alertgate-command.ts), for crash and
 * signal tests that an in-process gateway cannot show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ALERTGATE_ENV, alertgateArgs } from './alertgate-command.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * How long a process may take to start listening (and the default of each `waitForLog`). Starts
 * take 2-3 s on an idle machine but took 11-26 s with the 2 cores oversubscribed (four busy loops
 * and another process test beside them; CI runs the whole suite on 2 cores): 20 s failed
 * shutdown-process's starts.
 */
export const START_TIMEOUT_MS = 60_000;

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Log lines (parsed JSON) seen so far. */
  lines: Record<string, unknown>[];
  /** Resolves with the first log line (past or future) matching the predicate. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /**
   * The exit code once the process has exited by itself (after a signal the test sent with
   * `child.kill`, say): every line it wrote is in `lines` by then.
   */
  exited(): Promise<number | null>;
  /** Sends `signal` unless the process is gone, then as `exited`. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Where and how `serve` runs: `cwd` (default the repository root), `args` after `serve`. */
export interface ServeInvocation {
  cwd?: string;
  args?: string[];
}

export async function spawnGateway(env: Record<string, string>, timeoutMs = START_TIMEOUT_MS, invocation: ServeInvocation = {}): Promise<GatewayProcess> {
  const proc = spawnStartingGateway(env, timeoutMs, invocation);
  const listening = await proc.waitForLog((l) => l.msg === 'alertgate listening');
  return { url: `http://127.0.0.1:${String(listening.port)}`, ...proc };
}

/** The process as soon as it is spawned, before it listens (signals while it starts). */
export function spawnStartingGateway(env: Record<string, string>, timeoutMs = START_TIMEOUT_MS, invocation: ServeInvocation = {}): Omit<GatewayProcess, 'url'> {
  const child = spawn(process.execPath, [...alertgateArgs(), 'serve', ...(invocation.args ?? [])], {
    cwd: invocation.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...ALERTGATE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<{ p: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { raw: text };
    }
    lines.push(line);
    for (const w of waiters) if (w.p(line)) (waiters.delete(w), w.resolve(line));
  });
  // 'close', not 'exit': it comes once stdout is drained, so every line the process wrote is in
  // `lines` by the time a caller sees it gone.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  const waitForLog = (p: (l: Record<string, unknown>) => boolean, ms = timeoutMs) => {
    const seen = lines.find(p);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const w = { p, resolve: (l: Record<string, unknown>) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`gateway log line not seen within ${ms} ms; stderr: ${stderr.slice(-2000)}`));
      }, ms);
      waiters.add(w);
      void exited.then((code) => {
        if (!waiters.has(w)) return;
        waiters.delete(w);
        clearTimeout(timer);
        reject(new Error(`gateway exited (${code}) before the expected log line; stderr: ${stderr.slice(-2000)}`));
      });
    });
  };

  return {
    child,
    lines,
    waitForLog,
    exited: () => exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
