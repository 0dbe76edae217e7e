/**
 * The Thanos client against a scripted fake Querier on 127.0.0.1: the parameters Thanos needs,
 * retries, warnings, splitting by the points limit, and errors that name THANOS_URL.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fileClientToken } from '../config/client-token.js';
import { closeAllFakeThanos, failure, startFakeThanos, vector } from './fake-thanos.case.js';
import { UptimeError } from './errors.js';
import { createThanosClient } from './thanos-client.js';

afterEach(closeAllFakeThanos);

describe('thanos client', () => {
  it('sends dedup, partial_response=false and the resolution; answers samples and warnings', async () => {
    const f = await startFakeThanos(() => ({ status: 200, body: { ...vector('0.5', 1_700_000_000.25), warnings: ['store 10.0.0.1 is slow'] } }));
    const client = createThanosClient({ url: f.url });
    const r = await client.instant('up', 1_700_000_000_250, '5m');
    expect(r).toEqual({ series: [{ labels: { job: 'x' }, samples: [{ t: 1_700_000_000_250, v: 0.5 }] }], warnings: ['store 10.0.0.1 is slow'] });
    const p = f.requests[0]!;
    expect(p.path).toBe('/api/v1/query');
    expect(Object.fromEntries(p.params)).toEqual({ query: 'up', time: '1700000000.250', dedup: 'true', partial_response: 'false', max_source_resolution: '5m' });
  });

  it('retries 5xx and network errors, then succeeds', async () => {
    const f = await startFakeThanos();
    f.answers.push({ status: 503, body: 'overloaded' }, 'reset');
    const client = createThanosClient({ url: f.url, retryDelayMs: 5 });
    const r = await client.instant('up', 0, '0s');
    expect(r.series).toHaveLength(1);
    expect(f.requests).toHaveLength(3);
  });

  it('an unreachable or failing Thanos is "unavailable", naming THANOS_URL and never a number', async () => {
    const f = await startFakeThanos(() => ({ status: 500, body: { status: 'error', errorType: 'internal', error: 'store gateway down' } }));
    const failing = await failure(createThanosClient({ url: f.url, retryDelayMs: 1, retries: 1 }).instant('up', 0, '0s'));
    expect(failing.kind).toBe('unavailable');
    expect(failing.message).toContain(`THANOS_URL=${f.url}`);
    expect(failing.message).toContain('store gateway down');
    expect(f.requests).toHaveLength(2);

    const url = f.url;
    await f.close();
    const down = await failure(createThanosClient({ url, retryDelayMs: 1 }).instant('up', 0, '0s'));
    expect(down.kind).toBe('unavailable');
    expect(down.message).toMatch(new RegExp(`THANOS_URL=${url}.*ECONNREFUSED`));
  });

  it('times out a hanging Thanos', async () => {
    const f = await startFakeThanos(() => ({ status: 200, body: vector('1') }));
    f.answers.push('hang', 'hang');
    const err = await failure(createThanosClient({ url: f.url, timeoutMs: 100, retries: 1, retryDelayMs: 1 }).instant('up', 0, '0s'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('timed out');
  });

  it('a query Prometheus refuses is "query", with its own error text, not retried', async () => {
    const f = await startFakeThanos(() => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:1: parse error: unexpected "}"' } }));
    const err = await failure(createThanosClient({ url: f.url }).instant('}', 0, '0s'));
    expect(err.kind).toBe('query');
    expect(err.message).toContain('1:1: parse error: unexpected "}"');
    expect(f.requests).toHaveLength(1);
  });

  it('splits range queries so no request exceeds the points limit, and merges the series', async () => {
    const f = await startFakeThanos((q) => {
      const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(q.get(k)));
      const values: Array<[number, string]> = [];
      for (let t = start!; t <= end! + 1e-9; t += step!) values.push([t, '1']);
      return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: '1' }, values }] } } };
    });
    const client = createThanosClient({ url: f.url, maxPointsPerSeries: 10 });
    const r = await client.range('up', 0, 25_000, 1_000, '0s');
    expect(f.requests.map((q) => [q.params.get('start'), q.params.get('end')])).toEqual([
      ['0.000', '9.000'],
      ['10.000', '19.000'],
      ['20.000', '25.000'],
    ]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]!.samples.map((s) => s.t)).toEqual(Array.from({ length: 26 }, (_, i) => i * 1000));
  });

  it('withSignal: an aborted caller stops the query in flight and its retries, failing with the reason', async () => {
    const f = await startFakeThanos();
    f.answers.push('hang');
    const caller = new AbortController();
    const client = createThanosClient({ url: f.url, timeoutMs: 60_000, retryDelayMs: 1 }).withSignal(caller.signal);
    const query = failure(client.instant('up', 0, '0s'));
    await f.seen(1);
    caller.abort(new UptimeError('deadline', 'past the deadline'));
    const err = await query;
    expect(err).toMatchObject({ kind: 'deadline', message: 'past the deadline' });
    expect(f.requests).toHaveLength(1);
    // Another reason than an UptimeError (the HTTP server's own) is "cancelled", naming THANOS_URL.
    const other = new AbortController();
    other.abort('Error: aborted');
    const gone = await failure(createThanosClient({ url: f.url }).withSignal(other.signal).instant('up', 0, '0s'));
    expect(gone.kind).toBe('cancelled');
    expect(gone.message).toContain(`THANOS_URL=${f.url}`);
    expect(f.requests).toHaveLength(1);
  });

  it('withSignal: an abort during the wait before a retry ends it at once, with no further request', async () => {
    const f = await startFakeThanos(() => ({ status: 503, body: 'overloaded' }));
    let answered!: () => void;
    const read = new Promise<void>((resolve) => (answered = resolve));
    // The 503 is read in full before the client sees it, so once `read` resolves the client is
    // (a turn later) in its 10-minute wait before the retry.
    const readFirst: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const text = await res.text();
      answered();
      return new Response(text, { status: res.status });
    };
    const caller = new AbortController();
    const query = failure(createThanosClient({ url: f.url, retryDelayMs: 600_000, fetch: readFirst }).withSignal(caller.signal).instant('up', 0, '0s'));
    await read;
    await new Promise((resolve) => setImmediate(resolve));
    caller.abort(new UptimeError('cancelled', 'the client went away'));
    await expect(query).resolves.toMatchObject({ kind: 'cancelled', message: 'the client went away' });
    expect(f.requests).toHaveLength(1);
  });

  it('withSignal: clients share the limit in flight; one aborted while waiting for a slot sends nothing; shutdown still reads as unavailable', async () => {
    const f = await startFakeThanos();
    f.answers.push('hang', 'hang');
    const shutdown = new AbortController();
    const base = createThanosClient({ url: f.url, concurrency: 1, signal: shutdown.signal });
    const [holding, waiting] = [new AbortController(), new AbortController()];
    const first = failure(base.withSignal(holding.signal).instant('up', 0, '0s'));
    const second = failure(base.withSignal(waiting.signal).instant('up', 0, '0s'));
    await f.seen(1);
    waiting.abort(new UptimeError('cancelled', 'gone while queued'));
    holding.abort(new UptimeError('cancelled', 'gone in flight'));
    expect(await first).toMatchObject({ kind: 'cancelled', message: 'gone in flight' });
    // The slot passed to the second, whose caller had gone: it sent nothing.
    expect(await second).toMatchObject({ kind: 'cancelled', message: 'gone while queued' });
    expect(f.requests).toHaveLength(1);

    shutdown.abort();
    const late = await failure(base.withSignal(new AbortController().signal).instant('up', 0, '0s'));
    expect(late).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('shutting down') });
    expect(f.requests).toHaveLength(1);
  });

  it('sends basic auth from the URL and a bearer token, and never shows the password', async () => {
    const f = await startFakeThanos();
    const withUser = f.url.replace('http://', 'http://reader:s3cret@');
    const client = createThanosClient({ url: withUser });
    await client.instant('up', 0, '0s');
    expect(f.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    expect(client.displayUrl).toBe(f.url);
    await createThanosClient({ url: f.url, token: 'tok' }).instant('up', 0, '0s');
    expect(f.requests[1]!.headers.authorization).toBe('Bearer tok');
  });

  it('refuses basic auth in the URL together with a token (the token replaced it without a word), showing neither', () => {
    const withUser = 'http://reader:s3cret@127.0.0.1:9';
    expect(() => createThanosClient({ url: withUser, token: 'tok-123' })).toThrow(/^THANOS_URL has a user name or password .* and THANOS_TOKEN is set too: both would go in the one Authorization header/);
    const err = (() => {
      try {
        createThanosClient({ url: withUser, token: 'tok-123' });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    for (const secret of ['reader', 's3cret', 'tok-123']) expect(err).not.toContain(secret);
    // An empty token is none.
    expect(createThanosClient({ url: withUser, token: '' }).displayUrl).toBe('http://127.0.0.1:9');
  });

  it('a 401 or 403 says the credentials were refused or missing, naming where they are set, not "is it a Prometheus-compatible query API?"', async () => {
    // An auth proxy in front of Thanos (oauth2-proxy, kube-rbac-proxy) answers plain text.
    const f = await startFakeThanos((_p, _path, headers) => (headers.authorization === 'Bearer good' ? { status: 200, body: vector('1') } : { status: headers.authorization ? 403 : 401, body: 'Unauthorized' }));
    const none = await failure(createThanosClient({ url: f.url, retryDelayMs: 1 }).instant('up', 0, '0s'));
    expect(none.message).toBe(`Thanos at THANOS_URL=${f.url} answered HTTP 401 for /api/v1/query: it needs credentials and none were sent (set THANOS_TOKEN or THANOS_TOKEN_FILE, or user:password in THANOS_URL): Unauthorized`);
    const wrong = await failure(createThanosClient({ url: f.url, retryDelayMs: 1, token: 'wrong-token' }).instant('up', 0, '0s'));
    expect(wrong.message).toBe(`Thanos at THANOS_URL=${f.url} answered HTTP 403 for /api/v1/query: it refused the bearer token of THANOS_TOKEN or THANOS_TOKEN_FILE: Unauthorized`);
    const basic = await failure(createThanosClient({ url: f.url.replace('http://', 'http://reader:s3cret@'), retryDelayMs: 1 }).instant('up', 0, '0s'));
    expect(basic.message).toBe(`Thanos at THANOS_URL=${f.url} answered HTTP 403 for /api/v1/query: it refused the user and password of THANOS_URL: Unauthorized`);
    for (const err of [none, wrong, basic]) expect(err.kind).toBe('unavailable');
  });
});

describe('thanos client with a token from THANOS_TOKEN_FILE', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  /** A fake Thanos behind an auth proxy that takes only `accepted.token`, answering `refusal` otherwise. */
  async function guarded(accepted: { token: string }, refusal: number) {
    return startFakeThanos((_params, _path, headers) => (headers.authorization === `Bearer ${accepted.token}` ? { status: 200, body: vector('1') } : { status: refusal, body: 'denied' }));
  }
  async function tokenFile(content: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-thanos-token-'));
    dirs.push(dir);
    const file = join(dir, 'token');
    await writeFile(file, content);
    return file;
  }

  it('a 403 after a rotation: made once more with the new token, and the query succeeds', async () => {
    const accepted = { token: 'old-thanos-token' };
    const f = await guarded(accepted, 403);
    const file = await tokenFile('old-thanos-token\n');
    const client = createThanosClient({ url: f.url, retryDelayMs: 1, token: fileClientToken({ token: 'old-thanos-token', file, variable: 'THANOS_TOKEN_FILE', service: 'Thanos' }) });
    expect((await client.instant('up', 0, '0s')).series).toHaveLength(1);
    await writeFile(file, 'new-thanos-token\n');
    accepted.token = 'new-thanos-token';
    expect((await client.instant('up', 0, '0s')).series).toHaveLength(1);
    expect(f.requests.map((r) => r.headers.authorization)).toEqual(['Bearer old-thanos-token', 'Bearer old-thanos-token', 'Bearer new-thanos-token']);
  });

  it('a 401 with the file unchanged: the refusal stands, after one request, as with a fixed token', async () => {
    const f = await guarded({ token: 'the-token-thanos-wants' }, 401);
    const file = await tokenFile('a-token-thanos-refuses\n');
    const client = createThanosClient({ url: f.url, retryDelayMs: 1, token: fileClientToken({ token: 'a-token-thanos-refuses', file, variable: 'THANOS_TOKEN_FILE', service: 'Thanos' }) });
    const err = await failure(client.instant('up', 0, '0s'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('answered HTTP 401');
    expect(f.requests).toHaveLength(1);
  });
});
