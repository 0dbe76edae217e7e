import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NosniffResponse } from './every-response-headers.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** The headers a client receives when the handler calls writeHead(200, headers). */
async function headersFor(headers: OutgoingHttpHeaders | unknown[]): Promise<Headers> {
  server = createServer({ ServerResponse: NosniffResponse }, (_req, res) => {
    res.writeHead(200, headers as OutgoingHttpHeaders).end('ok');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await res.text();
  return res.headers;
}

describe('NosniffResponse', () => {
  it('adds nosniff to an object of headers, keeping the others', async () => {
    const h = await headersFor({ 'content-type': 'text/plain' });
    expect([h.get('x-content-type-options'), h.get('content-type')]).toEqual(['nosniff', 'text/plain']);
  });

  it('adds nosniff to the flat [name, value, …] array form', async () => {
    const h = await headersFor(['content-type', 'text/plain']);
    expect([h.get('x-content-type-options'), h.get('content-type')]).toEqual(['nosniff', 'text/plain']);
  });

  it('adds nosniff to the nested [[name, value], …] array form, keeping its headers intact', async () => {
    const h = await headersFor([['content-type', 'text/plain'], ['x-extra', 'one']]);
    expect([h.get('x-content-type-options'), h.get('content-type'), h.get('x-extra')]).toEqual(['nosniff', 'text/plain', 'one']);
  });

  it("keeps a route's own value, in either array form", async () => {
    expect((await headersFor([['X-Content-Type-Options', 'nosniff']])).get('x-content-type-options')).toBe('nosniff');
    await new Promise((resolve) => server?.close(resolve));
    expect((await headersFor(['X-Content-Type-Options', 'nosniff'])).get('x-content-type-options')).toBe('nosniff');
  });
});
