/**
 * @module uptime/fake-thanos.case
 * A scripted fake Thanos Querier on 127.0.0.1 for unit tests (test-only: `.case.ts` files are
 * not built): records every request, answers from a script (`answers`: a status and body, a
 * connection that hangs, or one that is reset), else from `fallback(params)`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UptimeError } from './errors.js';

export type FakeThanosAnswer = { status: number; body: unknown } | 'hang' | 'reset';

export interface FakeThanos {
  url: string;
  requests: Array<{ path: string; params: URLSearchParams; headers: http.IncomingHttpHeaders }>;
  answers: FakeThanosAnswer[];
  /** The answer to a request no scripted answer is left for (`headers`: to refuse a bearer token, say). */
  fallback: (params: URLSearchParams, path: string, headers: http.IncomingHttpHeaders) => FakeThanosAnswer;
  /** Resolves once `n` requests have arrived. */
  seen(n: number): Promise<void>;
  /** Requests the client closed before they were answered (a hanging one the caller gave up on). */
  dropped: number;
  /** Resolves once every request that arrived was answered or dropped. */
  settled(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

const open = new Set<FakeThanos>();

/** A Prometheus instant-vector answer with one series. */
/** A Prometheus answer with no series, of the type the path asks for (a matrix for query_range). */
export const noSeries = (path: string) => ({ status: 'success', data: { resultType: path.endsWith('query_range') ? 'matrix' : 'vector', result: [] } });
export const vector = (value: string, t = 1_700_000_000) => ({ status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [t, value] }] } });

export async function startFakeThanos(fallback: FakeThanos['fallback'] = () => ({ status: 200, body: vector('1') })): Promise<FakeThanos> {
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const seen = (n: number) => new Promise<void>((resolve) => (state.requests.length >= n ? resolve() : waiters.push({ n, resolve })));
  let unsettled = 0;
  const settledWaiters: Array<() => void> = [];
  const settled = () => new Promise<void>((resolve) => (unsettled === 0 ? resolve() : settledWaiters.push(resolve)));
  const state: FakeThanos = { url: '', requests: [], answers: [], fallback, seen, dropped: 0, settled, close: async () => {} };
  const server = http.createServer((req, res) => {
    unsettled += 1;
    res.on('close', () => {
      unsettled -= 1;
      if (!res.writableFinished) state.dropped += 1;
      if (unsettled === 0) settledWaiters.splice(0).forEach((resolve) => resolve());
    });
    const u = new URL(req.url ?? '/', 'http://x');
    state.requests.push({ path: u.pathname, params: u.searchParams, headers: req.headers });
    for (const w of waiters.filter((w) => state.requests.length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const answer = state.answers.shift() ?? state.fallback(u.searchParams, u.pathname, req.headers);
    if (answer === 'hang') return;
    if (answer === 'reset') return void req.socket.destroy();
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  state.close = () =>
    (closing ??= new Promise((resolve) => {
      open.delete(state);
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  open.add(state);
  return state;
}

/** For `afterEach`: closes every fake still open. */
export async function closeAllFakeThanos(): Promise<void> {
  await Promise.all([...open].map((f) => f.close()));
}

/** The UptimeError `p` fails with (a test failure if it succeeds or fails otherwise). */
export async function failure(p: Promise<unknown>): Promise<UptimeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof UptimeError)) throw new Error(`expected an UptimeError, got ${String(err)}`);
  return err;
}
