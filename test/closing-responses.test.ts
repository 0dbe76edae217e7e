/**
 * Once shutdown begins, every answer carries `Connection: close`: answers written by
 * @hono/node-server as a whole body and as a stream, to requests in flight at that moment and to
 * requests arriving later on a kept-alive connection; until then, none does. Another server in
 * the same process is not affected.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { closingResponses, type ClosingResponses } from '../src/http/closing-responses.js';

interface Answer {
  connection: string | undefined;
  body: string;
}

/**
 * A GET on a kept-alive agent (one socket, reused), as Alertmanager's client keeps its
 * connections; `onHead` runs once the head of the answer arrived, before its body ended.
 */
function get(agent: http.Agent, port: number, path: string, onHead?: () => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        onHead?.();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ connection: res.headers.connection, body }));
      })
      .on('error', reject);
  });
}

/** A promise with its resolve, to hold a handler until the test lets it go on. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

interface Rig {
  port: number;
  responses: ClosingResponses;
  agent: http.Agent;
  /** Resolves when a request reached the handler of `path`. */
  arrived(path: '/plain' | '/stream'): Promise<void>;
  release: ReturnType<typeof gate>;
  /** The stream's end, after its first chunk: let go once the head arrived, so the body is streamed. */
  streamEnd: ReturnType<typeof gate>;
  close(): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

async function startRig(): Promise<Rig> {
  const responses = closingResponses();
  const release = gate();
  const streamEnd = gate();
  const arrivals = { '/plain': gate(), '/stream': gate() };
  const app = new Hono();
  app.get('/now', (c) => c.text('now'));
  app.get('/plain', async (c) => {
    arrivals['/plain'].open();
    await release.promise;
    return c.text('plain');
  });
  app.get('/stream', async () => {
    arrivals['/stream'].open();
    await release.promise;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('first '));
        await streamEnd.promise;
        controller.enqueue(new TextEncoder().encode('last'));
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', serverOptions: { ServerResponse: responses.ServerResponse } }, () => resolve(s));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rig: Rig = {
    port: (server.address() as AddressInfo).port,
    responses,
    agent,
    arrived: (path) => arrivals[path].promise,
    release,
    streamEnd,
    close: async () => {
      agent.destroy();
      release.open();
      streamEnd.open();
      (server as http.Server).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  rigs.push(rig);
  return rig;
}

describe('Connection: close once shutdown begins', () => {
  it('is not sent before', async () => {
    const rig = await startRig();
    expect(await get(rig.agent, rig.port, '/now')).toEqual({ connection: 'keep-alive', body: 'now' });
    rig.release.open();
    expect(await get(rig.agent, rig.port, '/plain')).toEqual({ connection: 'keep-alive', body: 'plain' });
    expect(await get(rig.agent, rig.port, '/stream', rig.streamEnd.open)).toEqual({ connection: 'keep-alive', body: 'first last' });
  });

  it('is sent with an answer (whole body) to a request in flight when it begins', async () => {
    const rig = await startRig();
    const answer = get(rig.agent, rig.port, '/plain');
    await rig.arrived('/plain');
    rig.responses.closeConnections();
    rig.release.open();
    expect(await answer).toEqual({ connection: 'close', body: 'plain' });
  });

  it('is sent with a streamed answer to a request in flight when it begins', async () => {
    const rig = await startRig();
    const answer = get(rig.agent, rig.port, '/stream', rig.streamEnd.open);
    await rig.arrived('/stream');
    rig.responses.closeConnections();
    rig.release.open();
    expect(await answer).toEqual({ connection: 'close', body: 'first last' });
  });

  it('is sent to a request arriving later on a kept-alive connection, and only by the server shutting down', async () => {
    const stopping = await startRig();
    const other = await startRig();
    expect((await get(stopping.agent, stopping.port, '/now')).connection).toBe('keep-alive');
    stopping.responses.closeConnections();
    expect(await get(stopping.agent, stopping.port, '/now')).toEqual({ connection: 'close', body: 'now' });
    expect((await get(other.agent, other.port, '/now')).connection).toBe('keep-alive');
  });
});
