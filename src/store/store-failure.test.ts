/**
 * What counts as the store failing (the webhook's outage streak) and what as a bug around it
 * (logged per request): real errors of the driver and the system where a test can make them.
 */
import net from 'node:net';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { GroupWriteBusyError } from './postgres/write-gate.js';
import { isStoreFailure } from './store-failure.js';

const refusedConnection = () =>
  new Promise<Error>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => net.connect(port, '127.0.0.1').on('error', resolve));
    });
  });

it('takes system, SQLite and PostgreSQL errors, and the store’s own, as the store failing', async () => {
  expect(isStoreFailure(await refusedConnection())).toBe(true);
  const db = new Database(':memory:');
  let sqlite: unknown;
  try {
    db.prepare('SELECT * FROM no_such_table').all();
  } catch (err) {
    sqlite = err;
  }
  db.close();
  expect((sqlite as { code: string }).code).toMatch(/^SQLITE_/);
  expect(isStoreFailure(sqlite)).toBe(true);
  // As the SQLite writer thread's answers bring them back (name, message, code), and PostgreSQL's by SQLSTATE.
  expect(isStoreFailure(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
  expect(isStoreFailure(Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' }))).toBe(true);
  expect(isStoreFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
  for (const message of ['Connection terminated unexpectedly', 'Connection terminated', 'timeout exceeded when trying to connect', 'Query read timeout', 'SQLite writer thread exited (code 1)', 'the SQLite store is closed']) {
    expect(isStoreFailure(new Error(message)), message).toBe(true);
  }
  expect(isStoreFailure(new GroupWriteBusyError(5_000))).toBe(true);
});

it('takes a bug (a TypeError, a Node argument error, a thrown string) as not the store', () => {
  let typeError: unknown;
  try {
    (undefined as unknown as { x: number }).x;
  } catch (err) {
    typeError = err;
  }
  expect(isStoreFailure(typeError)).toBe(false);
  let argError: unknown;
  try {
    Buffer.from(42 as unknown as string);
  } catch (err) {
    argError = err;
  }
  expect((argError as { code: string }).code).toMatch(/^ERR_/);
  expect(isStoreFailure(argError)).toBe(false);
  expect(isStoreFailure(new RangeError('Invalid time value'))).toBe(false);
  expect(isStoreFailure('Connection terminated')).toBe(false);
});
