/**
 * A stand-in for a Thanos query-frontend on 127.0.0.1: forwards every request to `upstream`, and
 * first rounds a `query_range`'s start and end down to a multiple of its step (integer
 * milliseconds), as the frontend's default `--query-range.align-range-with-step=true` does
 * (thanos internal/cortex/querier/queryrange/step_align.go). Records the queries it moved.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AligningFrontend {
  url: string;
  /** `query_range` requests forwarded. */
  rangeQueries: number;
  /** `query_range` requests it had to move: `start..end → aligned start..end` (ISO), one per request. */
  moved: string[];
  close(): Promise<void>;
}

export async function startAligningFrontend(upstream: string): Promise<AligningFrontend> {
  const state: AligningFrontend = { url: '', rangeQueries: 0, moved: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', upstream);
    if (u.pathname === '/api/v1/query_range') {
      state.rangeQueries += 1;
      const ms = (k: string) => Math.round(Number(u.searchParams.get(k)) * 1000);
      const step = ms('step');
      const [start, end] = [ms('start'), ms('end')];
      const [alignedStart, alignedEnd] = [Math.floor(start / step) * step, Math.floor(end / step) * step];
      const iso = (ms: number) => new Date(ms).toISOString();
      if (alignedStart !== start || alignedEnd !== end) state.moved.push(`${iso(start)}..${iso(end)} → ${iso(alignedStart)}..${iso(alignedEnd)} (step ${step / 1000}s)`);
      u.searchParams.set('start', (alignedStart / 1000).toFixed(3));
      u.searchParams.set('end', (alignedEnd / 1000).toFixed(3));
    }
    fetch(u, { headers: { accept: 'application/json' } })
      .then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(await r.text());
      })
      .catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
