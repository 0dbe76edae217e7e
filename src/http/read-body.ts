/**
 * @module http/read-body
 * Read a request body with a hard size cap, without buffering more than the cap (a 6 MiB body
 * against a 5 MiB limit stops at 5 MiB + one chunk).
 *
 * Under @hono/node-server the Node request is read directly (`c.env.incoming`): the Web
 * `Request` body stream it would otherwise build costs ~300 µs of CPU per webhook, more than
 * parsing a 10-alert body. `app.request()` in tests has no Node request and uses the Web stream.
 *
 * A body with a Content-Encoding (a compressing proxy's gzip or deflate) is decoded as it
 * streams in (`readBodyDecoded`; `readEncodedBody` with the answers for the webhook and
 * `POST /v1/maintenance`), the cap applying to what arrives and to what it decodes to.
 */
import type { IncomingMessage } from 'node:http';
import { Readable, type Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';

export type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: true };

/**
 * The connection closed before the whole body arrived: a client gone mid-request, or one a
 * shutdown cut off at its deadline. Nothing was stored and no answer can reach it (Alertmanager
 * retries); not a bug to log as one (http/app.ts).
 */
export class BodyAbortedError extends Error {
  constructor() {
    super('request aborted by the client');
    this.name = 'BodyAbortedError';
  }
}

/** The Node request behind a Hono context's `env`, when served by @hono/node-server. */
export function nodeIncoming(env: unknown): IncomingMessage | undefined {
  const incoming = (env as { incoming?: unknown } | undefined)?.incoming;
  return incoming && typeof (incoming as IncomingMessage).on === 'function' ? (incoming as IncomingMessage) : undefined;
}

export async function readBodyCapped(req: Request, maxBytes: number, incoming?: IncomingMessage): Promise<BodyResult> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, tooLarge: true };
  if (incoming) return readNodeBody(incoming, maxBytes);
  if (!req.body) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, tooLarge: true };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

function readNodeBody(incoming: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  if (incoming.readableEnded) return Promise.resolve({ ok: true, text: '' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        cleanup();
        // Stop buffering; the rest is drained and discarded so the 413 can still be written.
        incoming.resume();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(new BodyAbortedError());
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onAborted);
  });
}

/** Why a request's Content-Type is not JSON (the 415 message), or undefined when it is. */
export function notJsonContentType(header: string | undefined): string | undefined {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' ? undefined : `Content-Type must be application/json, got ${type ? `"${type}"` : 'none'}`;
}

/** The content codings a body may arrive in. */
export type BodyCoding = 'gzip' | 'deflate';

/**
 * The coding to undo for a Content-Encoding header: none for `identity` (or only that), gzip
 * (`x-gzip` too, RFC 9110 §8.4.1.3) or deflate; anything else, or more than one coding, is the 415
 * message.
 */
export function bodyCoding(header: string): { coding: BodyCoding | undefined } | { unsupported: string } {
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return { coding: undefined };
  if (codings.length === 1) {
    if (codings[0] === 'gzip' || codings[0] === 'x-gzip') return { coding: 'gzip' };
    if (codings[0] === 'deflate') return { coding: 'deflate' };
  }
  const shown = header.trim().length > 64 ? `${header.trim().slice(0, 64)}…` : header.trim();
  return { unsupported: `Content-Encoding "${shown}" is not supported: send gzip, deflate or no Content-Encoding` };
}

export type DecodedBodyResult =
  | { ok: true; text: string }
  /** Over the cap as sent (`decoded` false) or once decoded (true). */
  | { ok: false; tooLarge: true; decoded: boolean }
  /** Not a valid stream of its coding (zlib's reason). */
  | { ok: false; tooLarge?: undefined; corrupt: string };

/**
 * Read a body sent with `coding`, decoding it as it arrives: at most `maxBytes` are read as sent,
 * and at most `maxBytes` (plus one zlib chunk) are kept decoded, so a small body that inflates to
 * gigabytes stops at the cap.
 */
export async function readBodyDecoded(req: Request, maxBytes: number, coding: BodyCoding | undefined, incoming?: IncomingMessage): Promise<DecodedBodyResult> {
  if (coding === undefined) {
    const plain = await readBodyCapped(req, maxBytes, incoming);
    return plain.ok ? plain : { ok: false, tooLarge: true, decoded: false };
  }
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, tooLarge: true, decoded: false };
  const source = incoming
    ? incoming.readableEnded
      ? Readable.from([])
      : incoming
    : req.body
      ? Readable.fromWeb(req.body as NodeReadableStream<Uint8Array>)
      : Readable.from([]);
  return decodeStream(source, coding, maxBytes);
}

/** Whether `b` starts with a zlib header (RFC 1950): HTTP's deflate; some senders send raw deflate instead. */
function zlibWrapped(b: Buffer): boolean {
  return b.length < 2 || ((b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0);
}

function decodeStream(source: Readable, coding: BodyCoding, maxBytes: number): Promise<DecodedBodyResult> {
  return new Promise((resolve, reject) => {
    let decoder: Transform | undefined;
    let sent = 0;
    let decoded = 0;
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (result: DecodedBodyResult | Error) => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('aborted', onAborted);
      if (decoder) {
        decoder.removeAllListeners();
        decoder.on('error', () => {});
        decoder.destroy();
      }
      if (result instanceof Error) return reject(result);
      // Refused before the end: the rest is drained and discarded so the answer can be written.
      if (!result.ok && !source.readableEnded) source.resume();
      resolve(result);
    };
    const startDecoder = (first: Buffer): Transform => {
      const d = coding === 'gzip' ? createGunzip() : zlibWrapped(first) ? createInflate() : createInflateRaw();
      d.on('data', (out: Buffer) => {
        decoded += out.byteLength;
        if (decoded > maxBytes) return finish({ ok: false, tooLarge: true, decoded: true });
        chunks.push(out);
      });
      d.on('end', () => finish({ ok: true, text: Buffer.concat(chunks, decoded).toString('utf8') }));
      d.on('error', (err: Error) => finish({ ok: false, corrupt: err.message }));
      d.on('drain', () => source.resume());
      return d;
    };
    const onData = (chunk: Buffer) => {
      sent += chunk.byteLength;
      if (sent > maxBytes) return finish({ ok: false, tooLarge: true, decoded: false });
      decoder ??= startDecoder(chunk);
      if (!decoder.write(chunk)) source.pause();
    };
    const onEnd = () => {
      decoder ??= startDecoder(Buffer.alloc(0));
      decoder.end();
    };
    const onError = (err: Error) => finish(err);
    const onAborted = () => onError(new BodyAbortedError());
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    source.on('aborted', onAborted);
  });
}

export type EncodedBodyResult = { ok: true; text: string } | { ok: false; status: 400 | 413 | 415; error: string };

/**
 * A request body sent with the Content-Encoding `encoding` (undefined: none), as the webhook and
 * `POST /v1/maintenance` read theirs: gzip, x-gzip and deflate are decoded (the cap bounding what
 * arrives and what it decodes to), identity read as it is; another coding is a 415 (read as
 * JSON it was a puzzling 400 "invalid JSON"), a stream not of its coding a 400, a body over the
 * cap a 413 saying `tooLarge(decoded)`.
 */
export async function readEncodedBody(
  req: Request,
  maxBytes: number,
  encoding: string | undefined,
  tooLarge: (decoded: boolean) => string,
  incoming?: IncomingMessage,
): Promise<EncodedBodyResult> {
  const coding = encoding === undefined ? { coding: undefined } : bodyCoding(encoding);
  if ('unsupported' in coding) return { ok: false, status: 415, error: coding.unsupported };
  const body = await readBodyDecoded(req, maxBytes, coding.coding, incoming);
  if (body.ok) return body;
  if (body.tooLarge) return { ok: false, status: 413, error: tooLarge(body.decoded) };
  return { ok: false, status: 400, error: `request body is not valid ${coding.coding} (Content-Encoding: ${encoding?.trim()}): ${body.corrupt}` };
}
