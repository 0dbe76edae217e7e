/**
 * Test harness: a private PostgreSQL server (initdb + postgres in a temp dir, random port on
 * 127.0.0.1) that a test may stop and start again — unlike the shared server of
 * `src/testing/postgres.ts`, which other test files use at the same time.
 *
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` OS user (Debian
 * package), owning its temp dir. Binaries come from /usr/lib/postgresql/<version>/bin or PATH.
 * Like every external binary of the suite: missing under CI=true fails, elsewhere skips loudly.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from '../../src/testing/binaries.js';
import { freeTcpPort } from '../../src/testing/free-port.js';

/** Folder holding `initdb` and `postgres`, or undefined. */
export function findPostgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const dir of [...versions.map((v) => join(root, v, 'bin')), ...[findBinary('initdb')].filter(Boolean).map((p) => p!.replace(/\/initdb$/, ''))]) {
    try {
      accessSync(join(dir, 'initdb'), constants.X_OK);
      accessSync(join(dir, 'postgres'), constants.X_OK);
      return dir;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The bin folder; under CI=true its absence throws, elsewhere a loud skip notice and undefined. */
export function requirePostgresBinaries(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = findPostgresBinDir();
  if (dir !== undefined) return dir;
  const reason = 'PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or on PATH (Debian package postgresql)';
  if (env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  process.stderr.write(`\n!!! SKIPPING tests that need a private PostgreSQL server: ${reason}\n\n`);
  return undefined;
}

export interface PrivatePostgres {
  /** URL of the `postgres` database (trust auth). */
  url: string;
  port: number;
  running(): boolean;
  /** Fast shutdown (SIGINT: open sessions are ended, then a clean checkpoint). */
  stop(): Promise<void>;
  /** Start again on the same port and data. */
  start(): Promise<void>;
  /** Stop (if running) and delete everything. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(binDir: string): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-pg-'));
  const data = join(dir, 'data');
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
    ...asOwner,
    cwd: dir,
    stdio: 'pipe',
  });
  const port = await freeTcpPort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const args = ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off'];
    const proc = spawn(join(binDir, 'postgres'), args, { ...asOwner, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`private PostgreSQL did not start within 20 s:\n${log.slice(-2000)}`)), 20_000);
      proc.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`private PostgreSQL exited (${code}) while starting:\n${log.slice(-2000)}`));
      });
    });
    // Keep draining its log so the pipe never fills up and blocks the server.
    proc.stderr!.resume();
  };

  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
    child = undefined;
  };

  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    running: () => child !== undefined,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
