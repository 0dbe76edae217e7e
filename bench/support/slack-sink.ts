/**
 * @module bench/support/slack-sink
 * A minimal Slack Web API stand-in for benchmarks (src/testing/fake-slack.ts keeps every request
 * and message for assertions, which at tens of thousands of calls costs the shared CPU more than
 * the gateway does). It answers `chat.postMessage` / `chat.update` like Slack, optionally after
 * `delayMs` (Slack's own latency), counts calls, and notes when each tracked group's message first
 * arrived: the first `<marker><digits>` in the body names the group. Any other path answers 200
 * `{}` (Alertmanager's webhook receiver in the peer benchmark).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface SlackSinkOptions {
  delayMs?: number;
  /** Record first arrival per `<marker><group number>` found in a request body. */
  marker?: string;
}

export interface SlackSink {
  /** Web API base URL (`…/api/`). */
  url: string;
  origin: string;
  calls(): number;
  /** Group number → wall-clock ms of the first call that named it. */
  arrivals: Map<number, number>;
  /** Resolves once `n` calls have been answered (or rejects after `timeoutMs`). */
  waitForCalls(n: number, timeoutMs: number): Promise<void>;
  /** Wall-clock ms of the first and the latest answered call. */
  span(): { first: number; last: number };
  close(): Promise<void>;
}

export async function startSlackSink(opts: SlackSinkOptions = {}): Promise<SlackSink> {
  let calls = 0;
  let ts = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  const arrivals = new Map<number, number>();
  const waiters = new Set<{ n: number; resolve: () => void }>();
  const pattern = opts.marker ? new RegExp(`${opts.marker}(\\d+)`) : undefined;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      if (pattern) {
        const m = pattern.exec(Buffer.concat(chunks).toString('latin1'));
        if (m && !arrivals.has(Number(m[1]))) arrivals.set(Number(m[1]), at);
      }
      const isSlack = req.url?.startsWith('/api/') ?? false;
      ts += 1;
      const answer = isSlack ? JSON.stringify({ ok: true, channel: 'C0BENCH01', ts: `1700000000.${String(ts).padStart(6, '0')}` }) : '{}';
      const reply = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(answer);
        calls += 1;
        if (Number.isNaN(first)) first = at;
        last = performance.timeOrigin + performance.now();
        for (const w of waiters) if (calls >= w.n) (waiters.delete(w), w.resolve());
      };
      if (opts.delayMs) setTimeout(reply, opts.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/api/`,
    origin,
    calls: () => calls,
    arrivals,
    span: () => ({ first, last }),
    waitForCalls: (n, timeoutMs) =>
      calls >= n
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const w = { n, resolve: () => (clearTimeout(timer), resolve()) };
            const timer = setTimeout(() => {
              waiters.delete(w);
              reject(new Error(`slack sink: ${calls} of ${n} calls after ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(w);
          }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
