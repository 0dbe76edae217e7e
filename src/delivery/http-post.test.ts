import type http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type FakeServer, type TlsIdentity } from '../testing/http-fake.js';
import { createTestTls } from '../testing/tls.js';
import { freeTcpPort } from '../testing/free-port.js';
import { keepAliveAgents, postOnce, type PostOptions } from './http-post.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A real server on loopback; `sockets`: the connections its requests came on, in order. */
async function serve(handler: Handler, tls?: TlsIdentity) {
  const sockets: Socket[] = [];
  const server = await listen((call, req, res) => {
    if (!sockets.includes(req.socket)) sockets.push(req.socket);
    handler(req, call.rawBody, res);
  }, tls);
  servers.push(server);
  return { url: new URL(`${server.origin}/api/chat.postMessage`), sockets };
}

const options = (o: Partial<PostOptions> = {}): PostOptions => ({
  headers: { 'content-type': 'application/json' },
  timeoutMs: 5_000,
  maxBytes: 1024,
  agents: keepAliveAgents(),
  ...o,
});

describe('postOnce', () => {
  it('sends the body and headers, returns status, body and Retry-After, and reuses connections', async () => {
    const seen: { method?: string; path?: string; type?: string; body: string }[] = [];
    const { url, sockets } = await serve((req, body, res) => {
      seen.push({ method: req.method, path: req.url, type: req.headers['content-type'], body });
      res.writeHead(429, { 'Retry-After': '7', 'content-type': 'application/json' });
      res.end('{"ok":false,"error":"ratelimited"}');
    });
    const opts = options();
    for (let i = 0; i < 5; i++) {
      expect(await postOnce(url, `{"n":${i}}`, opts)).toEqual({ status: 429, retryAfter: '7', body: '{"ok":false,"error":"ratelimited"}' });
    }
    expect(seen).toEqual([0, 1, 2, 3, 4].map((n) => ({ method: 'POST', path: '/api/chat.postMessage', type: 'application/json', body: `{"n":${n}}` })));
    expect(sockets).toHaveLength(1);
  });

  it('keeps at most maxBytes of a long body', async () => {
    const { url } = await serve((_req, _body, res) => res.end('x'.repeat(10_000)));
    const answer = await postOnce(url, '{}', options({ maxBytes: 100 }));
    expect(answer).toEqual({ status: 200, retryAfter: undefined, body: 'x'.repeat(100) });
  });

  it('names a refused connection', async () => {
    const port = await freeTcpPort();
    const answer = await postOnce(new URL(`http://127.0.0.1:${port}/api/x`), '{}', options());
    // Refused: the request never left, so the server cannot have acted on it.
    expect(answer).toEqual({ reason: expect.stringMatching(/ECONNREFUSED/) as unknown, requestSent: false });
  });

  it('gives up at its deadline when no answer comes, and closes the connection', async () => {
    const { url, sockets } = await serve(() => {});
    const started = performance.now();
    const answer = await postOnce(url, '{}', options({ timeoutMs: 200 }));
    // The server has the request: it may have acted on it.
    expect(answer).toEqual({ reason: 'request timed out after 200ms', requestSent: true });
    // A call without a deadline never ends (the server never answers); the bound is 25× the
    // deadline so that a loaded machine (GC, another process on the core) cannot reach it.
    expect(performance.now() - started).toBeLessThan(5_000);
    await new Promise<void>((resolve) => (sockets[0]!.closed ? resolve() : sockets[0]!.once('close', () => resolve())));
  });

  it("stops on the caller's abort, before or during the call", async () => {
    const { url } = await serve(() => {});
    const early = new AbortController();
    early.abort();
    expect(await postOnce(url, '{}', options({ signal: early.signal }))).toEqual({ reason: 'request aborted', requestSent: false });
    const late = new AbortController();
    const pending = postOnce(url, '{}', options({ signal: late.signal }));
    late.abort();
    expect(await pending).toEqual({ reason: 'request aborted', requestSent: false });
  });

  it('reports a connection the server drops mid-answer as no answer', async () => {
    const { url } = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"ok":');
      res.socket?.destroy();
    });
    const answer = await postOnce(url, '{}', options());
    expect(answer).toHaveProperty('reason');
    expect((answer as { reason: string }).reason).not.toBe('');
    expect(answer).toHaveProperty('requestSent', true);
  });

  it('says the request was sent when the server read it and dropped the connection without an answer', async () => {
    const { url } = await serve((req) => req.socket.destroy());
    const answer = await postOnce(url, '{}', options());
    expect(answer).toEqual({ reason: expect.stringMatching(/socket hang up|ECONNRESET/) as unknown, requestSent: true });
  });

  it('trusts the CA it is given for https, and refuses the certificate without it', async () => {
    const tls = await createTestTls();
    try {
      const { url } = await serve((_req, _body, res) => res.end('{"status":"success"}'), tls);
      expect(await postOnce(url, '{}', options({ ca: tls.cert }))).toEqual({
        status: 200,
        retryAfter: undefined,
        body: '{"status":"success"}',
      });
      const untrusted = await postOnce(url, '{}', options());
      expect(untrusted).toEqual({ reason: expect.stringMatching(/certificate/i) as unknown, requestSent: false });
    } finally {
      await tls.cleanup();
    }
  });
});
