/**
 * @module store/sqlite/writer-thread
 * The SQLite writer thread: one connection, every write request through group commit (the
 * requests that arrive while a batch commits form the next batch), each answered after its
 * transaction committed. A close request commits what is queued, closes the database and ends
 * the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, WRITER_CACHE_KIB } from './connection.js';
import { GroupCommit } from './group-commit.js';
import { prepareStatements } from './statements.js';
import { submitWrite, type WriteRequest } from './write-requests.js';
import { Batched, serializeError, type ConnectWriter, type FromWriter, type ToWriter } from './writer.js';

if (!parentPort) throw new Error('writer-thread must run as a worker thread');
const port = parentPort;

const db = openDatabase((workerData as { filename: string }).filename, { cacheKiB: WRITER_CACHE_KIB });
const s = prepareStatements(db);
// Answers go out in batches too: a commit answers every request of its batch at once.
const replies = new Batched<FromWriter>((batch) => port.postMessage(batch));
const reply = (msg: FromWriter) => replies.post(msg);
const commit = new GroupCommit(db, (stats) => reply({ id: 0, stats }));

/** Run one request through group commit and answer it on the port it came from. */
function handle(msg: { id: number; req: WriteRequest }, answer: (msg: FromWriter) => void): void {
  submitWrite(commit, s, msg.req).then(
    (value) => answer({ id: msg.id, ok: true, value }),
    (err: unknown) => answer({ id: msg.id, ok: false, error: serializeError(err) }),
  );
}

port.on('message', (msg: ToWriter[] | ConnectWriter) => {
  if ('connect' in msg) {
    // Another thread's port (the delivery thread): its writes join the same batches.
    const other = msg.connect;
    const answers = new Batched<FromWriter>((batch) => other.postMessage(batch));
    other.on('message', (batch: ToWriter[]) => {
      for (const m of batch) if ('req' in m) handle(m, (a) => answers.post(a));
    });
    return;
  }
  for (const m of msg) {
    if ('close' in m) {
      close(m.id);
      return;
    }
    handle(m, reply);
  }
});

function close(id: number): void {
  commit.close();
  db.close();
  // After the answers of the jobs just committed (promise callbacks) went out.
  setImmediate(() => {
    reply({ id, ok: true, value: undefined });
    replies.flush();
    port.close();
  });
}
