/**
 * Test harness: a private PostgreSQL primary and a streaming standby (initdb, pg_basebackup -R,
 * pg_ctl promote) on free ports of 127.0.0.1, trust auth, for failover tests. The shared server
 * of `src/testing/postgres.ts` is never touched. As root, everything runs as the `postgres` OS
 * user (PostgreSQL refuses root). Binaries: `requirePostgresBinaries` (support/postgres-server.ts).
 *
 * A failover as an operator (or CloudNativePG) does it: the primary dies (`immediate`, as a
 * crashed node), the standby is promoted, and the address clients use now reaches it
 * (`serveOnPrimaryPort`: restarted on the primary's port, as a Service repointed to it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freeTcpPort } from '../../src/testing/free-port.js';

const run = promisify(execFile);

export interface PairOptions {
  /** The primary waits for the standby's flush before a COMMIT returns (synchronous_standby_names). */
  synchronous: boolean;
}

export interface PostgresPair {
  /** The address clients use: the primary's port (after `serveOnPrimaryPort`, the promoted standby's). */
  url: string;
  /** The standby on its own port, before the failover. */
  standbyUrl: string;
  /** As started (PairOptions). */
  synchronous: boolean;
  /** Until the standby has replayed all the WAL the primary had written when called (every COMMIT answered before then). */
  caughtUp(): Promise<void>;
  /** Pause or resume the primary's WAL sender (SIGSTOP/SIGCONT): a standby that lags, unreachable. */
  stallReplication(stalled: boolean): Promise<void>;
  /** Kill the primary as a crashed node would (`pg_ctl stop -m immediate`: no checkpoint, no goodbye). */
  killPrimary(): Promise<void>;
  /** Restart the standby, still in recovery (read-only), on the primary's port. */
  serveOnPrimaryPort(): Promise<void>;
  /** `pg_ctl promote -w`: the server at the primary's port becomes read-write. */
  promote(): Promise<void>;
  destroy(): Promise<void>;
}

interface Server {
  data: string;
  port: number;
  child?: ChildProcess;
  exited?: Promise<void>;
}

export async function startPostgresPair(binDir: string, opts: PairOptions): Promise<PostgresPair> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-pgpair-'));
  const owner = process.getuid?.() === 0 ? await postgresUser() : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const bin = (name: string) => join(binDir, name);
  const primary: Server = { data: join(dir, 'primary'), port: 0 };
  const standby: Server = { data: join(dir, 'standby'), port: 0 };

  const start = async (s: Server, port: number) => {
    const args = ['-D', s.data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off'];
    const proc = spawn(bin('postgres'), args, { ...asOwner, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    s.child = proc;
    s.port = port;
    s.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL (${s.data}) did not start within 20 s:\n${log.slice(-2000)}`)), 20_000);
      proc.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        // A standby says it is ready for read-only connections; a primary, for connections.
        if (/ready to accept (read-only )?connections/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL (${s.data}) exited (${code}) while starting:\n${log.slice(-2000)}`));
      });
    });
    proc.stderr!.resume();
  };
  // freeTcpPort's port is free when it answers, not when PostgreSQL binds it: another process
  // (a parallel test worker) may take it in between. Then another port, as freeTcpPort says.
  const startOnFreePort = async (s: Server) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start(s, await freeTcpPort());
      } catch (err) {
        if (attempt >= 5 || !portTaken(err)) throw err;
      }
    }
  };
  const stop = async (s: Server, signal: NodeJS.Signals) => {
    const c = s.child;
    if (c && c.exitCode === null && c.signalCode === null) c.kill(signal);
    await s.exited;
    s.child = undefined;
  };

  try {
    await run(bin('initdb'), ['-D', primary.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], { ...asOwner, cwd: dir });
    const settings = opts.synchronous ? `synchronous_standby_names = 'standby1'\nsynchronous_commit = on\n` : `synchronous_commit = on\n`;
    await appendFile(join(primary.data, 'postgresql.conf'), settings);
    await startOnFreePort(primary);
    // initdb's trust pg_hba.conf already lets 127.0.0.1 in for replication.
    await run(bin('pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.data, '-R', '-X', 'stream', '--no-sync'], { ...asOwner, cwd: dir });
    // The name synchronous_standby_names waits for (the last primary_conninfo wins).
    // synchronous_standby_names came with the base backup: once promoted, with no standby of its
    // own, every COMMIT would wait for one for ever (a one-standby pair must drop it, as
    // failover tooling does).
    await appendFile(
      join(standby.data, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=standby1'\nsynchronous_standby_names = ''\n`,
    );
    await startOnFreePort(standby);
    await waitForStreaming(`postgres://postgres@127.0.0.1:${primary.port}/postgres`, opts.synchronous ? 'sync' : 'async');
  } catch (err) {
    await Promise.all([stop(standby, 'SIGQUIT'), stop(primary, 'SIGQUIT')]);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const primaryPort = primary.port;
  const walSenderPids = () => onServer(primaryPort, async (c) => (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_replication')).rows.map((r) => r.pid));

  return {
    url: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    standbyUrl: `postgres://postgres@127.0.0.1:${standby.port}/postgres`,
    synchronous: opts.synchronous,
    async caughtUp() {
      const lsn = await onServer(primaryPort, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
      await onServer(standby.port, async (c) => {
        for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
          if ((await c.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn])).rows[0]!.done) return;
        }
        throw new Error(`the standby had not replayed the primary's WAL up to ${lsn} within 20 s`);
      });
    },
    async stallReplication(stalled) {
      for (const pid of await walSenderPids()) process.kill(pid, stalled ? 'SIGSTOP' : 'SIGCONT');
    },
    async killPrimary() {
      // SIGQUIT to the postmaster is `pg_ctl stop -m immediate`. A WAL sender stopped by
      // stallReplication would not die of it (nor send what it held back, which a crash would
      // never send either): SIGKILL, first.
      if (primary.child) for (const pid of await walSenderPids().catch(() => [])) process.kill(pid, 'SIGKILL');
      await stop(primary, 'SIGQUIT');
    },
    async serveOnPrimaryPort() {
      await stop(standby, 'SIGINT');
      // Nothing holds the port between the kill and this start (a Service's address would not
      // be free for others to take): should another process have bound it meanwhile, say so.
      await start(standby, primaryPort).catch((err: unknown) => {
        if (!portTaken(err)) throw err;
        throw new Error(`the killed primary's port ${primaryPort} was taken by another process meanwhile: the standby cannot serve at it (rerun the test)\n${(err as Error).message}`);
      });
    },
    async promote() {
      await run(bin('pg_ctl'), ['promote', '-w', '-t', '20', '-D', standby.data], { ...asOwner, cwd: dir });
    },
    async destroy() {
      await Promise.all([stop(primary, 'SIGQUIT'), stop(standby, 'SIGQUIT')]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `fn` on a connection of its own to the server at `port`. */
async function onServer<T>(port: number, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A start that failed because the port was bound by another process (PostgreSQL's own words). */
function portTaken(err: unknown): boolean {
  return err instanceof Error && /could not bind IPv4 address[^\n]*Address already in use/.test(err.message);
}

/** Until the primary lists its standby as streaming, in the expected sync state. */
async function waitForStreaming(url: string, syncState: 'sync' | 'async'): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      const { rows } = await client.query<{ state: string; sync_state: string }>('SELECT state, sync_state FROM pg_stat_replication');
      if (rows.some((r) => r.state === 'streaming' && r.sync_state === syncState)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the standby was not streaming (${syncState}) to the primary within 20 s`);
  } finally {
    await client.end();
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}
