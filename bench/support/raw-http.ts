/**
 * @module bench/support/raw-http
 * The load client's HTTP/1.1 transport: keep-alive connections on plain `net` sockets, one
 * request in flight on each, and just enough response parsing to read the status and find the
 * end of the body (Content-Length or chunked). `node:http`'s client spent ~90 µs of CPU per
 * request here, as much as a third of what the server under test spent on a 1-alert webhook,
 * and the load shares the machine's cores with the server; this costs a fraction of that (the
 * reason autocannon, the usual Node load tool, parses responses itself too).
 */
import net from 'node:net';

/** A request's outcome: the response's status code, or -1 for a network or protocol error. */
export type Status = number;

interface Pending {
  resolve: (status: Status) => void;
}

/** Reads one response at a time from a byte stream; `push` returns the status once it is whole. */
export class ResponseReader {
  private buffer: Buffer = Buffer.alloc(0);
  private status = 0;
  /** Body bytes still expected (Content-Length), or -1 while reading chunked framing. */
  private remaining: number | undefined;
  private chunked = false;
  /** The server said `Connection: close`: the socket cannot carry another request. */
  closeAfter = false;

  /** Feed bytes; returns the status when a whole response has arrived, undefined before. */
  push(chunk: Buffer): Status | undefined {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.remaining === undefined && !this.chunked) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      this.readHead(this.buffer.toString('latin1', 0, end));
      this.buffer = this.buffer.subarray(end + 4);
    }
    return this.chunked ? this.readChunks() : this.readLength();
  }

  private readHead(head: string): void {
    const lines = head.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!match) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(lines[0])}`);
    this.status = Number(match[1]);
    let length = 0;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding' && value.includes('chunked')) this.chunked = true;
      else if (name === 'connection' && value === 'close') this.closeAfter = true;
    }
    if (!this.chunked) this.remaining = length;
  }

  private readLength(): Status | undefined {
    if (this.buffer.length < this.remaining!) return undefined;
    if (this.buffer.length > this.remaining!) throw new Error('bytes after the response: only one request may be in flight');
    return this.done();
  }

  /** Skips chunk after chunk; the last is `0\r\n` and the trailers' empty line. */
  private readChunks(): Status | undefined {
    for (;;) {
      const eol = this.buffer.indexOf('\r\n');
      if (eol < 0) return undefined;
      const size = Number.parseInt(this.buffer.toString('latin1', 0, eol), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (size === 0) {
        // `0\r\n`, any trailers, then an empty line.
        if (this.buffer.indexOf('\r\n\r\n', eol) < 0) return undefined;
        return this.done();
      }
      if (this.buffer.length < eol + 2 + size + 2) return undefined;
      this.buffer = this.buffer.subarray(eol + 2 + size + 2);
    }
  }

  private done(): Status {
    const status = this.status;
    this.buffer = Buffer.alloc(0);
    this.remaining = undefined;
    this.chunked = false;
    this.status = 0;
    return status;
  }
}

class Connection {
  readonly socket: net.Socket;
  private readonly reader = new ResponseReader();
  private pending: Pending | undefined;
  closed = false;
  /** Responses read on this connection: one that never got any could not connect. */
  answered = 0;

  constructor(host: string, port: number, onIdle: (c: Connection) => void, onGone: (c: Connection) => void) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      let status: Status | undefined;
      try {
        status = this.reader.push(chunk);
      } catch {
        this.fail();
        return;
      }
      if (status === undefined) return;
      const p = this.pending;
      this.pending = undefined;
      this.answered += 1;
      if (this.reader.closeAfter) this.fail();
      else onIdle(this);
      p?.resolve(status);
    });
    const gone = () => {
      if (this.closed) return;
      this.closed = true;
      onGone(this);
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(-1);
    };
    this.socket.on('error', gone);
    this.socket.on('close', gone);
  }

  send(request: string, pending: Pending): void {
    this.pending = pending;
    this.socket.write(request);
  }

  fail(): void {
    this.socket.destroy();
  }
}

/** POSTs over at most `maxConnections` keep-alive connections; more requests wait for one. */
export class RawHttpClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: { request: string; pending: Pending }[] = [];
  private readonly host: string;
  private readonly port: number;

  constructor(url: URL, private readonly maxConnections: number) {
    this.host = url.hostname;
    this.port = Number(url.port || 80);
  }

  /**
   * The request head for `path` with these headers; `post` appends Content-Length and the body.
   */
  head(path: string, headers: Record<string, string>): string {
    const lines = [`POST ${path} HTTP/1.1`, `Host: ${this.host}:${this.port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    return `${lines.join('\r\n')}\r\n`;
  }

  post(head: string, body: string): Promise<Status> {
    const request = `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return new Promise((resolve) => {
      const pending = { resolve };
      const connection = this.idle.pop() ?? (this.all.size < this.maxConnections ? this.open() : undefined);
      if (connection) connection.send(request, pending);
      else this.waiting.push({ request, pending });
    });
  }

  close(): void {
    for (const c of this.all) c.fail();
  }

  private open(): Connection {
    const c = new Connection(
      this.host,
      this.port,
      (idle) => {
        const next = this.waiting.shift();
        if (next) idle.send(next.request, next.pending);
        else this.idle.push(idle);
      },
      (gone) => {
        this.all.delete(gone);
        const i = this.idle.indexOf(gone);
        if (i >= 0) this.idle.splice(i, 1);
        // A request waiting for a connection gets a new one, unless this one never connected
        // (the server is gone: fail it rather than reconnect for ever).
        const next = this.waiting.shift();
        if (next && gone.answered > 0) this.open().send(next.request, next.pending);
        else next?.pending.resolve(-1);
      },
    );
    this.all.add(c);
    return c;
  }
}
