/**
 * Test harness: HTTP/1.1 to a gateway over a raw socket, for what `fetch` hides: every header of
 * every response on one kept-alive connection (`Connection: close`, a `100 Continue`), the
 * connection's close, and a request left half sent (a slow client holding a shutdown's drain open).
 */
import { request } from 'node:http';
import net from 'node:net';
import { WEBHOOK_TOKEN } from './gateway.js';

export interface RawResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: net.Socket;
  /** The next complete response on the connection. */
  response(): Promise<RawResponse>;
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>;
}

/** The head of a webhook POST as Alertmanager sends it, for a body of `body`, with `extra` header lines. */
export function webhookHead(body: string, extra: Record<string, string> = {}): string {
  const headers = {
    Host: 'alertgate',
    'Content-Type': 'application/json',
    Authorization: `Bearer ${WEBHOOK_TOKEN}`,
    'Content-Length': String(Buffer.byteLength(body)),
    ...extra,
  };
  return `POST /webhooks/alertmanager HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** One HTTP/1.1 connection kept alive, as Alertmanager's client keeps it. */
export async function keptAlive(url: string): Promise<RawConnection> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    waiting?.();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  const response = async (): Promise<RawResponse> => {
    for (;;) {
      const end = received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = received.subarray(0, end).toString().split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length'] ?? 0);
        if (received.length >= end + 4 + length) {
          const body = received.subarray(end + 4, end + 4 + length).toString();
          received = received.subarray(end + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers, body };
        }
      }
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };
  return { socket, response, closed };
}

/**
 * A client that sent a webhook's head and the first bytes of its body, then stalls: it holds an
 * HTTP drain open for the whole grace. Destroy its socket when done.
 */
export async function stalledWebhook(url: string, body: string): Promise<RawConnection> {
  const conn = await keptAlive(url);
  conn.socket.write(webhookHead(body) + body.slice(0, 10));
  return conn;
}

/**
 * A webhook POST with Transfer-Encoding: chunked (no Content-Length), written in `chunkBytes`
 * writes as a streaming client would; `headers` are added to the webhook's own. The server may
 * answer (413) and stop reading before the whole body is written.
 */
export function postWebhookChunked(
  gatewayUrl: string,
  payload: Buffer,
  o: { chunkBytes: number; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${gatewayUrl}/webhooks/alertmanager`,
      { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}`, ...o.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    for (let i = 0; i < payload.length; i += o.chunkBytes) req.write(payload.subarray(i, i + o.chunkBytes));
    req.end();
  });
}
