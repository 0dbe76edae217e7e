/**
 * @module store/sqlite/writer-thread
 * The SQLite writer thread: one connection, every write request through group commit (the
 * requests that arrive while a batch commits form the next batch), each answered after its
 * transaction committed. A close request commits what is queued, closes the database and ends
 * the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './connection.js';
import { GroupCommit } from './group-commit.js';
import { prepareStatements } from './statements.js';
import { runWrite, type WriteRequest } from './write-requests.js';
import { serializeError, type FromWriter, type ToWriter } from './writer.js';

const port = parentPort;
if (!port) throw new Error('writer-thread must run as a worker thread');

const db = openDatabase((workerData as { filename: string }).filename);
const s = prepareStatements(db);
const reply = (msg: FromWriter) => port.postMessage(msg);
const commit = new GroupCommit(db, (stats) => reply({ id: 0, stats }));

/** Run one request through group commit and answer it on the port it came from. */
function handle(msg: { id: number; req: WriteRequest }, answer: (msg: FromWriter) => void): void {
  commit.run(() => runWrite(s, msg.req)).then(
    (value) => answer({ id: msg.id, ok: true, value }),
    (err: unknown) => answer({ id: msg.id, ok: false, error: serializeError(err) }),
  );
}

port.on('message', (msg: ToWriter) => {
  if ('connect' in msg) {
    // Another thread's port (the delivery thread): its writes join the same batches.
    const other = msg.connect;
    other.on('message', (m: ToWriter) => {
      if ('req' in m) handle(m, (a) => other.postMessage(a));
    });
    return;
  }
  if ('close' in msg) {
    commit.close();
    db.close();
    // After the answers of the jobs just committed (promise callbacks) went out.
    setImmediate(() => {
      reply({ id: msg.id, ok: true, value: undefined });
      port.close();
    });
    return;
  }
  handle(msg, reply);
});
