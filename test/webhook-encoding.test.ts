/**
 * Webhook bodies with a Content-Encoding, over real HTTP: a compressing proxy between Alertmanager
 * and alertgate sends gzip or deflate, which is decoded (WEBHOOK_MAX_BYTES bounds the decoded size
 * too); a coding alertgate cannot decode is refused as such (415) rather than read as JSON.
 */
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { postWebhookChunked } from './support/raw-http.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
/** WEBHOOK_MAX_BYTES 4096. */
let small: TestGateway;
const MAX = 4096;

beforeAll(async () => {
  fakes = await startFakes();
  [t, small] = await Promise.all([startTestGateway(fakes), startTestGateway(fakes, { WEBHOOK_MAX_BYTES: String(MAX) })]);
});
afterAll(async () => {
  await Promise.all([t?.close(), small?.close()]);
  await fakes?.close();
});

let n = 0;
function body(): { text: string; alertname: string } {
  const alertname = `Encoded${++n}`;
  return { text: JSON.stringify(webhook(`{}:{alertname="${alertname}"}`, [{ labels: { alertname, namespace: 'payments-prod' } }])), alertname };
}

/** A body `size` bytes long once decoded. */
function bodyOfSize(size: number): string {
  const text = body().text;
  const prefix = `${text.slice(0, -1)},"pad":"`;
  return `${prefix}${'x'.repeat(size - prefix.length - 2)}"}`;
}

function post(gw: TestGateway, encoding: string | undefined, payload: Buffer | string): Promise<Response> {
  return fetch(`${gw.gw.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}`, ...(encoding === undefined ? {} : { 'content-encoding': encoding }) },
    body: payload as BodyInit,
  });
}

/** POST with Transfer-Encoding: chunked (no Content-Length), in 1 KiB writes. */
function postChunked(gw: TestGateway, encoding: string, payload: Buffer): Promise<{ status: number; body: string }> {
  return postWebhookChunked(gw.gw.url, payload, { chunkBytes: 1024, headers: { 'content-encoding': encoding } });
}

async function stored(gw: TestGateway, alertname: string): Promise<boolean> {
  const page = (await fetch(`${gw.gw.url}/v1/alerts?team=payments&limit=1000`).then((r) => r.json())) as { items: { labels: Record<string, string> }[] };
  return page.items.some((a) => a.labels.alertname === alertname);
}

describe('Content-Encoding on the webhook', () => {
  it('gzip, x-gzip and deflate (zlib or raw) bodies are decoded and accepted', async () => {
    const cases: [string, (b: string) => Buffer][] = [
      ['gzip', (b) => gzipSync(b)],
      ['GZip', (b) => gzipSync(b)],
      ['x-gzip', (b) => gzipSync(b)],
      ['deflate', (b) => deflateSync(b)],
      ['deflate', (b) => deflateRawSync(b)],
      ['gzip, identity', (b) => gzipSync(b)],
    ];
    for (const [encoding, encode] of cases) {
      const { text, alertname } = body();
      const res = await post(t, encoding, encode(text));
      expect(res.status, `${encoding}: ${await res.clone().text()}`).toBe(202);
      expect(await res.json()).toEqual({ accepted: 1 });
      expect(await stored(t, alertname), encoding).toBe(true);
    }
    // Streamed in small chunks, without a Content-Length.
    const { text, alertname } = body();
    const chunked = await postChunked(t, 'gzip', gzipSync(text));
    expect(chunked.status, chunked.body).toBe(202);
    expect(await stored(t, alertname)).toBe(true);
    // Large, just under the default 5 MiB once decoded.
    const large = gzipSync(bodyOfSize(5 * 1024 * 1024 - 1));
    expect((await postChunked(t, 'gzip', large)).status).toBe(202);
    expect((await post(t, 'gzip', large)).status).toBe(202);
  });

  it('identity is no coding at all', async () => {
    const { text, alertname } = body();
    expect((await post(t, 'identity', text)).status).toBe(202);
    expect(await stored(t, alertname)).toBe(true);
  });

  it('415 naming a coding it cannot decode (br, zstd, unknown), even when the body is plain JSON', async () => {
    for (const encoding of ['br', 'zstd', 'compress', 'snappy', 'gzip, br']) {
      const { text, alertname } = body();
      const res = await post(t, encoding, text);
      expect(res.status, encoding).toBe(415);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(new RegExp(`^Content-Encoding "${encoding}" is not supported`));
      expect(await stored(t, alertname), encoding).toBe(false);
    }
  });

  it('400 naming Content-Encoding for a corrupt or truncated stream, without binary in the message', async () => {
    const zipped = gzipSync(body().text);
    const bad: [string, Buffer | string][] = [
      ['gzip', body().text], // labelled gzip, sent plain
      ['gzip', zipped.subarray(0, zipped.length - 20)], // cut short
      ['gzip', Buffer.concat([zipped.subarray(0, 20), Buffer.alloc(50, 0xff), zipped.subarray(70)])], // damaged
      ['deflate', Buffer.from('not deflate at all')],
      ['gzip', Buffer.alloc(0)],
    ];
    for (const [encoding, payload] of bad) {
      const res = await post(t, encoding, payload);
      expect(res.status, String(payload.length)).toBe(400);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(new RegExp(`^request body is not valid ${encoding} \\(Content-Encoding: ${encoding}\\): `));
      expect(error).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it('WEBHOOK_MAX_BYTES bounds the decoded body: exactly the limit is accepted, one byte more is 413', async () => {
    const exact = bodyOfSize(MAX);
    expect(Buffer.byteLength(exact)).toBe(MAX);
    expect((await post(small, 'gzip', gzipSync(exact))).status).toBe(202);
    for (const encoding of ['gzip', 'deflate']) {
      const over = bodyOfSize(MAX + 1);
      const compressed = encoding === 'gzip' ? gzipSync(over) : deflateSync(over);
      expect(compressed.length).toBeLessThan(MAX / 4);
      const res = await post(small, encoding, compressed);
      expect(res.status, encoding).toBe(413);
      expect(await res.json()).toEqual({ error: `decompressed request body exceeds WEBHOOK_MAX_BYTES (${MAX} bytes)` });
      const streamed = await postChunked(small, encoding, compressed);
      expect(streamed.status, encoding).toBe(413);
    }
  });

  it('WEBHOOK_MAX_BYTES still bounds the compressed body as sent', async () => {
    // Random text hardly compresses: over the limit before decoding.
    const noise = gzipSync(Buffer.from(Array.from({ length: 3 * MAX }, () => Math.floor(Math.random() * 256))));
    expect(noise.length).toBeGreaterThan(MAX);
    const res = await post(small, 'gzip', noise);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: `request body exceeds WEBHOOK_MAX_BYTES (${MAX} bytes)` });
    expect((await postChunked(small, 'gzip', noise)).status).toBe(413);
  });

  it('a decompression bomb stops at the limit (5 MiB by default): 413, quickly', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 }); // 64 MiB of spaces, ~64 KiB sent
    const started = performance.now();
    const res = await post(t, 'gzip', bomb);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/^decompressed request body exceeds WEBHOOK_MAX_BYTES/);
    expect(performance.now() - started).toBeLessThan(5_000);
    // The connection and the gateway carry on.
    expect((await post(t, undefined, body().text)).status).toBe(202);
  });
});
