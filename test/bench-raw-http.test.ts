/**
 * The benchmarks' HTTP transport (bench/support/raw-http.ts) against real servers on loopback:
 * its figures are only as good as its reading of where a response ends.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawHttpClient, ResponseReader } from '../bench/support/raw-http.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function listen(server: http.Server | net.Server): Promise<URL> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
}

describe('ResponseReader', () => {
  it('finds the end of a Content-Length body split anywhere, and of chunked bodies with trailers', () => {
    const responses = [
      'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"accepted":100}',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n',
    ];
    const reader = new ResponseReader();
    for (const text of responses) {
      const bytes = Buffer.from(text);
      // Every split point: no status before the last byte, the status with it.
      for (let cut = 1; cut < bytes.length; cut++) {
        expect(reader.push(bytes.subarray(0, cut))).toBeUndefined();
        expect(reader.push(bytes.subarray(cut))).toBe(Number(text.slice(9, 12)));
      }
    }
  });

  it('refuses what is not an HTTP/1.x response', () => {
    expect(() => new ResponseReader().push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/status line/);
  });
});

describe('RawHttpClient', () => {
  it('posts bodies with their byte length over reused keep-alive connections, at most maxConnections', async () => {
    const seen: { body: string; socket: net.Socket; type: string | undefined; auth: string | undefined }[] = [];
    let open = 0;
    let maxOpen = 0;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ body: Buffer.concat(chunks).toString('utf8'), socket: req.socket, type: req.headers['content-type'], auth: req.headers.authorization });
        // Alternate framings, as Node and Go servers both do.
        if (seen.length % 2) res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
        else {
          res.writeHead(200);
          res.write('part one;');
          res.end('part two');
        }
      });
    });
    server.on('connection', (socket) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      socket.on('close', () => (open -= 1));
    });
    const url = await listen(server);
    const client = new RawHttpClient(url, 3);
    const head = client.head(url.pathname, { 'content-type': 'application/json', authorization: 'Bearer t' });
    const bodies = Array.from({ length: 30 }, (_, i) => JSON.stringify({ i, text: `caf\u00e9 ${'x'.repeat(i * 100)}` }));
    const statuses = await Promise.all(bodies.map((b) => client.post(head, b)));
    client.close();

    expect(statuses.filter((s) => s === 202)).toHaveLength(15);
    expect(statuses.filter((s) => s === 200)).toHaveLength(15);
    expect(seen.map((s) => s.body).sort()).toEqual([...bodies].sort());
    expect(new Set(seen.map((s) => s.socket)).size).toBe(3);
    expect(maxOpen).toBe(3);
    expect(seen.every((s) => s.type === 'application/json' && s.auth === 'Bearer t')).toBe(true);
  });

  it('answers -1 when the server drops the connection, and reconnects for the next request', async () => {
    let requests = 0;
    const server = net.createServer((socket) => {
      socket.on('data', () => {
        requests += 1;
        // The first request on each connection is dropped unanswered; the second is answered.
        if (requests % 2) socket.destroy();
        else socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      });
    });
    const url = await listen(server);
    const client = new RawHttpClient(url, 1);
    const head = client.head('/x', {});
    expect(await client.post(head, '{}')).toBe(-1);
    expect(await client.post(head, '{}')).toBe(200);
    client.close();
  });

  it('fails requests waiting for a connection when the server is not there, instead of retrying for ever', async () => {
    const probe = net.createServer();
    const url = await listen(probe);
    await closers.pop()!();
    const client = new RawHttpClient(url, 1);
    const head = client.head('/x', {});
    expect(await Promise.all([client.post(head, '{}'), client.post(head, '{}')])).toEqual([-1, -1]);
  });
});
