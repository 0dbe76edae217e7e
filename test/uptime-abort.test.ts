/**
 * An uptime report served over HTTP queries Thanos only while someone waits for it: a client
 * that closes its connection (an ingress that gave up) stops the report's queries and retries,
 * and a report past UPTIME_REPORT_TIMEOUT_MS answers the contract's 503 JSON (not an ingress'
 * 504 page) with its queries stopped. Real HTTP on 127.0.0.1: the gateway, and a fake Thanos
 * whose every query hangs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';

const RANGE = 'from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z';
/** The Thanos client's first retry comes 250 ms after a failed attempt (thanos-client.ts). */
const RETRY_WINDOW_MS = 1_000;

let dir: string;
let fakes: Fakes;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-uptime-abort-'));
  await mkdir(join(dir, 'routes'));
  await mkdir(join(dir, 'rules'));
  for (const team of ['payments', 'platform']) await writeFile(join(dir, 'routes', `${team}.yaml`), `team: ${team}\nslack:\n  channel: "#${team}-alerts"\nroutes:\n  - receivers: [slack]\n`);
  const checks = ['checkout', 'basket', 'search'].map((s) => `  - service: ${s}\n    up: probe_success{job="blackbox",instance="https://${s}.example"}\n    objective: 99.9\n`);
  await writeFile(join(dir, 'rules', 'payments.yaml'), `team: payments\nnamespace: payments-prod\nuptime:\n${checks.join('')}`);
  fakes = await startFakes();
});
afterAll(async () => {
  await fakes?.close();
  await rm(dir, { recursive: true, force: true });
});

/** `promise`, or a failure saying what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Log lines (JSON) containing `text`. */
const linesWith = (t: TestGateway, text: string) => t.logs.filter((l) => l.includes(text)).map((l) => JSON.parse(l) as { level: string; msg: string });

/** A gateway in front of a fake Thanos whose every query hangs until its client ends it. */
function useHangingThanos(env: Record<string, string>): { thanos: () => FakeThanos; t: () => TestGateway } {
  let thanos: FakeThanos;
  let t: TestGateway;
  beforeAll(async () => {
    thanos = await startFakeThanos(() => 'hang');
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: dir, THANOS_URL: thanos.url, ...env });
  });
  afterAll(async () => {
    await t?.close();
    await thanos?.close();
  });
  return { thanos: () => thanos, t: () => t };
}

describe('a client that closes its connection stops the report', () => {
  // Before the fix, only the gateway's own per-query timeout (20 s) ended a query, and a retry
  // followed 250 ms later.
  const rig = useHangingThanos({ THANOS_TIMEOUT_MS: '20000', UPTIME_REPORT_TIMEOUT_MS: '0' });

  for (const [name, path, accept] of [
    ['GET /v1/uptime', `/v1/uptime?team=payments&${RANGE}`, 'application/json'],
    ['GET /v1/uptime.csv', `/v1/uptime.csv?team=payments&${RANGE}`, 'text/csv'],
    ['GET /uptime/payments (HTML)', `/uptime/payments?${RANGE}`, 'text/html'],
    ['GET /uptime (HTML, every team)', `/uptime?${RANGE}`, 'text/html'],
  ] as const) {
    it(`${name}: no query nor retry reaches Thanos after the client is gone`, async () => {
      const [thanos, t] = [rig.thanos(), rig.t()];
      const before = thanos.requests.length;
      const stoppedBefore = linesWith(t, 'the client closed the connection').length;
      const client = new AbortController();
      const answer = fetch(`${t.gw.url}${path}`, { headers: { accept }, signal: client.signal }).catch((err: unknown) => err);
      await thanos.seen(before + 1);
      client.abort();
      expect(await answer).toMatchObject({ name: 'AbortError' });
      // The gateway sees the client go (node-server aborts the request's signal) and ends the
      // report: every query Thanos got is closed unanswered, long before THANOS_TIMEOUT_MS.
      // Within 10 s, half the gateway's own 20 s query timeout: only the client's leaving ends them.
      await within(thanos.settled(), 10_000, "the gateway to close the report's queries after its client left");
      const after = thanos.requests.length;
      expect(thanos.dropped).toBe(after);
      // Nothing follows: no retry (the first would come 250 ms after a failed attempt), no next query.
      await new Promise((resolve) => setTimeout(resolve, RETRY_WINDOW_MS));
      expect(thanos.requests.length).toBe(after);
      // Logged at info, not as an error; nothing else about it above info.
      const stopped = linesWith(t, 'the client closed the connection').slice(stoppedBefore);
      expect(stopped.map((l) => l.level)).toEqual(['info']);
      expect(t.logs.filter((l) => /"level":"(warn|error)"/.test(l))).toEqual([]);
    });
  }
});

describe('UPTIME_REPORT_TIMEOUT_MS', () => {
  // Thanos' own timeout (10 s, three attempts) is far beyond the report's deadline.
  const rig = useHangingThanos({ THANOS_TIMEOUT_MS: '10000', UPTIME_REPORT_TIMEOUT_MS: '400' });

  for (const [name, path, accept] of [
    ['GET /v1/uptime', `/v1/uptime?team=payments&${RANGE}`, 'application/json'],
    ['GET /v1/uptime.csv', `/v1/uptime.csv?team=payments&${RANGE}`, 'text/csv'],
    ['GET /uptime (every team, asked for JSON)', `/uptime?${RANGE}`, 'application/json'],
  ] as const) {
    it(`${name}: past the deadline, 503 JSON naming the setting, and the queries in flight are stopped`, async () => {
      const [thanos, t] = [rig.thanos(), rig.t()];
      const before = thanos.requests.length;
      const started = Date.now();
      // Bounded: without a deadline the gateway would answer only after 3 × 10 s.
      const res = await fetch(`${t.gw.url}${path}`, { headers: { accept }, signal: AbortSignal.timeout(20_000) });
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = (await res.json()) as { error: string; kind: string };
      expect(body.kind).toBe('deadline');
      expect(body.error).toContain('UPTIME_REPORT_TIMEOUT_MS (400 ms)');
      expect(took).toBeGreaterThanOrEqual(400);
      expect(thanos.requests.length).toBeGreaterThan(before);
      await thanos.settled();
      expect(thanos.dropped).toBe(thanos.requests.length);
      expect(linesWith(t, 'stopped at UPTIME_REPORT_TIMEOUT_MS').at(-1)?.level).toBe('warn');
    });
  }

  it('the HTML page answers the same 503 as a page', async () => {
    const [thanos, t] = [rig.thanos(), rig.t()];
    const res = await fetch(`${t.gw.url}/uptime/payments?${RANGE}`, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(20_000) });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('UPTIME_REPORT_TIMEOUT_MS (400 ms)');
    await thanos.settled();
    expect(thanos.dropped).toBe(thanos.requests.length);
  });
});
