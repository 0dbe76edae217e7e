/**
 * Hostile input at the webhook: 10,000 generated bodies per run (wrong types, missing fields, huge
 * label sets, 1 MB strings, unicode and control characters, deep nesting, duplicated keys, numbers
 * as strings) through the real HTTP app, real SQLite store and real routing config. The gateway
 * answers 202 or 4xx, never 5xx, never crashes, and its heap stays bounded. Slow clients
 * (slowloris) cannot hold a connection: the server's header and request timeouts cut them off.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../src/config/env.js';
import { labelsFingerprint } from '../src/ingest/fingerprint.js';
import { createLogger } from '../src/log/logger.js';
import { HTTP_TIMEOUTS, startGateway, type Gateway } from '../src/server.js';
import { anyWebhookBody } from './support/fault-arbitraries.js';
import { gatewayEnv, startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { fastestRunMs } from './support/timing.js';

const RUNS = 10_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let fakes: Fakes;
let t: TestGateway;

beforeAll(async () => {
  fakes = await startFakes();
  // In-memory SQLite: the durability of each commit is the fault suite's subject, not this one's.
  t = await startTestGateway(fakes, { DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'warn' });
  // Only the ingest side is under test; deliveries of these bodies are the renderer suites' job.
  await t.gw.worker.stop(0);
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

async function post(body: string | Uint8Array): Promise<Response> {
  return t.gw.app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
    body: body as BodyInit,
  });
}

describe('hostile webhook bodies', () => {
  it(`${RUNS} generated bodies → only 202 or 4xx with a JSON error, never 5xx; heap stays bounded`, async () => {
    const statuses = new Map<number, number>();
    const before = heapAfterGc();
    await fc.assert(
      fc.asyncProperty(anyWebhookBody(), async (body) => {
        const res = await post(body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (res.status === 202) return;
        expect(res.status, text.slice(0, 500)).toBeGreaterThanOrEqual(400);
        expect(res.status, text.slice(0, 500)).toBeLessThan(500);
        expect(typeof (JSON.parse(text) as { error: unknown }).error).toBe('string');
      }),
      { numRuns: RUNS },
    );
    const grown = heapAfterGc() - before;
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(RUNS);
    // Both sides were exercised: a generator that only produced garbage would prove little.
    expect(statuses.get(202) ?? 0).toBeGreaterThan(RUNS * 0.2);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS * 0.2);
    // Nothing the requests touched is retained (bodies up to 5 MiB, thousands of labels).
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect(t.logs.filter((l) => /"level":"error"/.test(l)).slice(0, 3)).toEqual([]);
    process.stdout.write(`webhook property: ${JSON.stringify(Object.fromEntries(statuses))}, heap grew ${(grown / 1048576).toFixed(1)} MiB\n`);
  }, 600_000);

  it('a body just over WEBHOOK_MAX_BYTES is refused with 413 without being read whole', async () => {
    const res = await post(`{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    expect(res.status).toBe(413);
  });

  it('the fingerprint of a payload without one matches the 64-bit FNV-1a reference (Alertmanager\'s)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), (labels) => {
        expect(labelsFingerprint(labels)).toBe(referenceFingerprint(labels));
      }),
      { numRuns: 2000 },
    );
  });

  it('a 1 MB label without a fingerprint costs well under a second to fingerprint', () => {
    const labels = { alertname: 'Big', value: 'x'.repeat(1024 * 1024) };
    expect(fastestRunMs(() => labelsFingerprint(labels), 200)).toBeLessThan(200);
  });
});

/** BigInt FNV-1a 64 over name 0xff value 0xff in name order: prometheus/common's LabelSet.Fingerprint. */
function referenceFingerprint(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  const enc = new TextEncoder();
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(Uint8Array.of(0xff));
    add(enc.encode(labels[name]!));
    add(Uint8Array.of(0xff));
  }
  return h.toString(16).padStart(16, '0');
}

describe('slow clients', () => {
  let gw: Gateway;
  let dir: string;
  const small = { keepAliveMs: 600, headersMs: 1000, requestMs: 1500, checkIntervalMs: 100 };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertgate-slow-'));
    const env = gatewayEnv(fakes, { DATABASE_URL: 'sqlite::memory:' });
    gw = await startGateway({ settings: readSettings(env, dir), env, logger: createLogger({ write: () => {} }), pagerDutyCa: fakes.tls.cert, httpTimeouts: small });
  });
  afterAll(async () => {
    await gw?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens a raw connection; resolves with what the server sent and when it closed the socket. */
  function rawClient(): { socket: Socket; closed: Promise<{ afterMs: number; received: string }> } {
    const started = Date.now();
    const socket = connect(gw.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('error', () => {});
    const closed = new Promise<{ afterMs: number; received: string }>((resolve) => socket.on('close', () => resolve({ afterMs: Date.now() - started, received })));
    return { socket, closed };
  }

  /** Writes `text` one byte every `everyMs` until the socket closes. */
  function trickle(socket: Socket, text: string, everyMs: number): void {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || i >= text.length) return clearInterval(timer);
      socket.write(text[i++]!);
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  }

  it('the defaults outlive the idle connections of Alertmanager\'s HTTP client (5 minutes) and bound headers and bodies', async () => {
    // prometheus/common's IdleConnTimeout; Alertmanager 0.25 measured closing an idle connection after 301.4 s.
    const alertmanagerIdleMs = 300_000;
    expect(HTTP_TIMEOUTS.keepAliveMs).toBeGreaterThan(alertmanagerIdleMs + 5_000);
    expect(HTTP_TIMEOUTS.requestMs).toBeGreaterThanOrEqual(HTTP_TIMEOUTS.headersMs);
    expect(HTTP_TIMEOUTS.requestMs).toBeLessThanOrEqual(300_000);
    // What the running server does: Node announces its keep-alive timeout on every kept-alive answer.
    const res = await fetch(`${t.gw.url}/healthz`);
    await res.arrayBuffer();
    expect(res.headers.get('keep-alive')).toBe(`timeout=${Math.floor(HTTP_TIMEOUTS.keepAliveMs / 1000)}`);
  });

  it('the header and request timeouts do not run while a kept-alive connection is idle: it is reused after longer than both', async () => {
    // Node (18 and later) times headers and the request from the first byte of each request, so
    // they need not exceed the keep-alive timeout (the 5-minute slowloris bound would otherwise
    // have to grow with it).
    // Keep-alive far above the idle wait, so a stalled event loop on a loaded machine does not close it first.
    const timeouts = { keepAliveMs: 10_000, headersMs: 600, requestMs: 800, checkIntervalMs: 50 };
    const idleDir = await mkdtemp(join(tmpdir(), 'alertgate-idle-'));
    const env = gatewayEnv(fakes, { DATABASE_URL: 'sqlite::memory:' });
    const idleGw = await startGateway({ settings: readSettings(env, idleDir), env, logger: createLogger({ write: () => {} }), pagerDutyCa: fakes.tls.cert, httpTimeouts: timeouts });
    try {
      const socket = connect(idleGw.port, '127.0.0.1');
      let received = '';
      let closed = false;
      let answered: (() => void) | undefined;
      socket.on('data', (d: Buffer) => {
        received += d.toString();
        answered?.();
      });
      socket.on('close', () => {
        closed = true;
        answered?.();
      });
      socket.on('error', () => {});
      const send = (name: string) => {
        const body = JSON.stringify(webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'kube-system' } }]));
        socket.write(
          `POST /webhooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${WEBHOOK_TOKEN}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      };
      const answers = () => received.match(/HTTP\/1\.1 \d+/g) ?? [];
      /** Until `count` answers arrived or the socket closed (each 'data' or 'close' looks again). */
      const waitFor = async (count: number) => {
        while (answers().length < count && !closed) await new Promise<void>((resolve) => (answered = resolve));
      };
      send('IdleFirst');
      await waitFor(1);
      expect(answers()).toEqual(['HTTP/1.1 202']);
      await new Promise((r) => setTimeout(r, 1_500)); // idle: past headersMs and requestMs, within keepAliveMs
      expect(closed).toBe(false);
      send('IdleSecond');
      await waitFor(2);
      expect(answers()).toEqual(['HTTP/1.1 202', 'HTTP/1.1 202']);
      socket.destroy();
    } finally {
      await idleGw.close();
      await rm(idleDir, { recursive: true, force: true });
    }
  });

  it('a client sending its headers byte by byte (slowloris) is cut off after the header timeout', async () => {
    const { socket, closed } = rawClient();
    trickle(socket, `POST /webhooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(10_000)}`, 50);
    const { afterMs, received } = await closed;
    expect(afterMs).toBeGreaterThanOrEqual(small.headersMs - 50);
    expect(afterMs).toBeLessThan(small.headersMs + 1500);
    expect(received === '' || received.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('a client sending its body byte by byte is cut off after the request timeout', async () => {
    const { socket, closed } = rawClient();
    socket.write(
      `POST /webhooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${WEBHOOK_TOKEN}\r\nContent-Length: 100000\r\n\r\n`,
    );
    trickle(socket, '{"a":"' + 'b'.repeat(99_990), 50);
    const { afterMs } = await closed;
    expect(afterMs).toBeGreaterThanOrEqual(small.requestMs - 50);
    expect(afterMs).toBeLessThan(small.requestMs + 1500);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout, and normal requests still work', async () => {
    const { socket, closed } = rawClient();
    const body = JSON.stringify(webhook('{}:{alertname="Quick"}', [{ labels: { alertname: 'Quick', namespace: 'kube-system' } }]));
    socket.write(
      `POST /webhooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${WEBHOOK_TOKEN}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
    );
    const { afterMs, received } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 202 /);
    expect(afterMs).toBeGreaterThanOrEqual(small.keepAliveMs - 50);
    expect(afterMs).toBeLessThan(small.keepAliveMs + 1500);
  });
});
