/**
 * @module store/sqlite/writer
 * Where the SQLite store's writes run. better-sqlite3 is synchronous: a COMMIT with
 * `synchronous=FULL` blocks its thread for the whole fsync, and the statements of a busy batch
 * cost as much CPU as the HTTP work around them. For a database file the writes therefore run on
 * a writer thread with its own connection (`ThreadWriter`): the event loop keeps parsing and
 * deciding while a batch commits, and the second core does the SQLite work. `:memory:` cannot be
 * shared between connections, so there the writes run inline (`InlineWriter`). Both batch
 * through group commit, and both answer a request only after its transaction committed.
 */
import type Database from 'better-sqlite3';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startThread } from '../../threads/start-thread.js';
import { GroupCommit, type CommitStats } from './group-commit.js';
import type { Statements } from './statements.js';
import { submitWrite, type WriteRequest, type WriteResult } from './write-requests.js';

export interface SqliteWriter {
  /**
   * The writer refuses every write (a store opened read-only): the store then reads nothing
   * that only a write would use (`SqliteStore.readOwedTargets`).
   */
  readonly refusesWrites: boolean;
  execute<R extends WriteRequest>(req: R): Promise<WriteResult<R>>;
  /** Why the writer cannot write any more (its thread died), if so. */
  broken(): Error | undefined;
  /** Commit what was queued, then stop. */
  close(): Promise<void>;
}

/** The writer of a store opened read-only: every write is refused, as its connection would refuse it. */
export class RefusingWriter implements SqliteWriter {
  readonly refusesWrites = true;

  execute(): Promise<never> {
    return Promise.reject(new Error('this SQLite store was opened read-only: it writes nothing'));
  }

  broken(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}

export class InlineWriter implements SqliteWriter {
  readonly refusesWrites = false;
  private readonly s: Statements;
  private readonly commit: GroupCommit;

  /** `s`: the statements of `db`, shared with the store's reads (prepared once per connection). */
  constructor(db: Database.Database, s: Statements, onCommit?: (stats: CommitStats) => void) {
    this.s = s;
    this.commit = new GroupCommit(db, onCommit);
  }

  execute<R extends WriteRequest>(req: R): Promise<WriteResult<R>> {
    return submitWrite(this.commit, this.s, req) as Promise<WriteResult<R>>;
  }

  broken(): Error | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.commit.close();
  }
}

/**
 * Messages between the store and its writer thread, posted in batches (`Batched`): a `connect`
 * message (another thread's port to it) goes alone, with the port transferred.
 */
export type ToWriter = { id: number; req: WriteRequest } | { id: number; close: true };
export type ConnectWriter = { connect: MessagePort };
export type FromWriter =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError }
  /** After each batch, for metrics (id 0: answers no request). */
  | { id: 0; stats: CommitStats };
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export function serializeError(err: unknown): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

function deserializeError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) (err as Error & { code: string }).code = e.code;
  return err;
}

/**
 * Posts messages in batches: what is posted during one turn of the event loop goes as one
 * message after it. Each message wakes the other thread and is (de)serialised on its own; a
 * webhook makes one write request and its delivery two more, and at a thousand webhooks a
 * second the messages cost as much event-loop time as reading the groups did.
 */
export class Batched<T> {
  private queue: T[] = [];
  private scheduled = false;

  constructor(private readonly postBatch: (batch: T[]) => void) {}

  post(msg: T): void {
    this.queue.push(msg);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Send what is queued now. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.postBatch(batch);
  }
}

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

type Request = { req: WriteRequest } | { close: true };

/**
 * Requests posted to the writer thread and the answers awaited, by id: the bookkeeping
 * `ThreadWriter` (this thread's own channel) and `PortWriter` (another thread's port) share.
 * `busy`/`idle` are told when the first request starts waiting and the last one is answered.
 */
class Requests {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  failure: Error | undefined;

  private readonly outgoing: Batched<ToWriter>;

  constructor(
    post: (batch: ToWriter[]) => void,
    private readonly busy: () => void = () => {},
    private readonly idle: () => void = () => {},
  ) {
    this.outgoing = new Batched(post);
  }

  send(request: Request): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      if (this.waiting.size === 0) this.busy();
      this.waiting.set(id, { resolve, reject });
      this.outgoing.post({ id, ...request });
    });
  }

  answer(batch: FromWriter[]): void {
    for (const msg of batch) this.answerOne(msg);
  }

  private answerOne(msg: FromWriter): void {
    if ('stats' in msg) return;
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.settled(msg.id);
    if (msg.ok) w.resolve(msg.value);
    else w.reject(deserializeError(msg.error));
  }

  /** Nothing sent from now on can be answered: reject what waits and what comes. */
  fail(err: Error): void {
    this.failure ??= err;
    for (const [id, w] of this.waiting) {
      this.settled(id);
      w.reject(this.failure);
    }
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.idle();
  }
}

export class ThreadWriter implements SqliteWriter {
  readonly refusesWrites = false;
  private readonly worker: Worker;
  private readonly requests: Requests;
  private closing: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(
    filename: string,
    private readonly onCommit?: (stats: CommitStats) => void,
  ) {
    this.worker = startThread(import.meta.url, 'writer-thread', { filename });
    this.worker.unref();
    // Keep the process alive while a write is outstanding (a CLI command awaiting its write
    // has no other handle); an idle writer must not.
    this.requests = new Requests(
      (batch) => this.worker.postMessage(batch),
      () => this.worker.ref(),
      () => {
        if (!this.closing) this.worker.unref();
      },
    );
    this.worker.on('message', (batch: FromWriter[]) => {
      for (const msg of batch) if ('stats' in msg) this.onCommit?.(msg.stats);
      this.requests.answer(batch);
    });
    this.worker.on('error', (err) => this.requests.fail(new Error(`SQLite writer thread failed: ${err.message}`)));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.requests.fail(new Error(`SQLite writer thread exited (code ${code})`));
        resolve();
      }),
    );
  }

  execute<R extends WriteRequest>(req: R): Promise<WriteResult<R>> {
    if (this.closing && !this.requests.failure) return Promise.reject(new Error('the SQLite store is closed'));
    return this.requests.send({ req }) as Promise<WriteResult<R>>;
  }

  broken(): Error | undefined {
    return this.requests.failure;
  }

  /**
   * A port another thread (the delivery thread) writes through with a `PortWriter`: its requests
   * join the same group commits, in the order they arrive, as this thread's own.
   */
  openPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ connect: port2 } satisfies ConnectWriter, [port2]);
    return port1;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Stay referenced until the thread has exited: the last write may be all that keeps a
      // shutting-down process alive.
      this.worker.ref();
      if (!this.requests.failure) await this.requests.send({ close: true }).catch(() => {});
      await this.exited;
    })();
    return this.closing;
  }
}

/**
 * The writer thread, reached from another thread through a port from `ThreadWriter.openPort()`.
 * Closing it closes only the port: the writer thread belongs to the store that started it.
 */
export class PortWriter implements SqliteWriter {
  readonly refusesWrites = false;
  private readonly requests: Requests;

  constructor(private readonly port: MessagePort) {
    this.requests = new Requests((batch) => port.postMessage(batch));
    port.on('message', (batch: FromWriter[]) => this.requests.answer(batch));
    // The writer thread ended (store closed, or it died): nothing sent now can be answered.
    port.on('close', () => this.requests.fail(new Error('SQLite writer thread is gone')));
  }

  execute<R extends WriteRequest>(req: R): Promise<WriteResult<R>> {
    return this.requests.send({ req }) as Promise<WriteResult<R>>;
  }

  broken(): Error | undefined {
    return this.requests.failure;
  }

  async close(): Promise<void> {
    this.requests.fail(new Error('the SQLite store is closed'));
    this.port.close();
  }
}
