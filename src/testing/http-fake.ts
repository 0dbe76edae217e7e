/**
 * @module testing/http-fake
 * Building blocks of the fake Slack and PagerDuty servers: a real HTTP(S) server on
 * 127.0.0.1:0 that can be closed with its connections, a recorder whose `waitFor` resolves on
 * the matching request (event-based, no polling), and a scripted plan of answers.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** Scripted answers shared by every fake; each fake adds its own kinds. */
export type BaseStep =
  /** Behave normally. */
  | 'ok'
  /**
   * Answer this raw HTTP response (a non-string body is JSON-encoded). With `after`, only once it
   * resolves: a call held in flight until the test has done something (recorded on arrival).
   */
  | { status: number; headers?: Record<string, string>; body?: unknown; after?: Promise<unknown> }
  /** Never answer: for client timeouts. */
  | { hang: true }
  /** Destroy the connection without an answer: a network error. */
  | { reset: true };

export interface IncomingCall {
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
}

export interface FakeServer {
  /** `http(s)://127.0.0.1:<port>` without a trailing slash. */
  origin: string;
  close(): Promise<void>;
}

export interface TlsIdentity {
  key: string;
  cert: string;
}

export async function listen(
  handle: (call: IncomingCall, req: http.IncomingMessage, res: http.ServerResponse) => void,
  tls?: TlsIdentity,
): Promise<FakeServer> {
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle({ path: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') }, req, res);
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging answers and keep-alive sockets would otherwise hold close() open.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

/**
 * Plays a base step that is not 'ok'. Returns false for 'ok' (the caller behaves normally).
 */
export function playBaseStep(step: BaseStep, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (step === 'ok') return false;
  if ('hang' in step) return true; // leave the response open; close() ends it
  if ('reset' in step) {
    req.socket.destroy();
    return true;
  }
  const send = () => sendJson(res, step.status, step.body ?? '', step.headers);
  if (step.after) {
    // The client may have given up meanwhile: nothing to answer then.
    void step.after.then(() => {
      if (!res.destroyed && !res.writableEnded) send();
    });
  } else send();
  return true;
}

/** A queue of scripted answers: each request takes the next one; when empty, 'ok'. */
export class Script<S> {
  private plan: S[] = [];
  respondWith(plan: S[]): void {
    this.plan = [...plan];
  }
  next(): S | 'ok' {
    return this.plan.shift() ?? 'ok';
  }
  get pending(): number {
    return this.plan.length;
  }
}

/** Recorded items plus an event-based wait for one that matches. */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly events = new EventEmitter();

  push(item: T): void {
    this.items.push(item);
    this.events.emit('item', item);
  }

  /** Resolves with the first recorded (or future) item matching `predicate`. */
  waitFor(predicate: (item: T) => boolean, timeoutMs = 5000, describe: (item: T) => string = () => '·'): Promise<T> {
    const seen = this.items.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const onItem = (item: T): void => {
        if (!predicate(item)) return;
        clearTimeout(timer);
        this.events.off('item', onItem);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.events.off('item', onItem);
        reject(new Error(`waitFor: nothing matched within ${timeoutMs}ms; recorded ${this.items.length}: [${this.items.map(describe).join(', ')}]`));
      }, timeoutMs);
      this.events.on('item', onItem);
    });
  }
}
