/** DATABASE_URL parsing and opening: the forms the README documents, and clear refusals. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, requirePostgres, type TestDatabase } from '../testing/postgres.js';
import { openStore, parseDatabaseUrl, redactUrl, urlPasswords } from './open-store.js';

const admin = await requirePostgres();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertgate-open-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('parseDatabaseUrl', () => {
  it('resolves sqlite paths against the working directory, absolute ones as given', () => {
    expect(parseDatabaseUrl('sqlite:data/alertgate.db', '/srv/app')).toEqual({ kind: 'sqlite', filename: '/srv/app/data/alertgate.db' });
    expect(parseDatabaseUrl('sqlite:/var/lib/alertgate.db', '/srv/app')).toEqual({ kind: 'sqlite', filename: '/var/lib/alertgate.db' });
    expect(parseDatabaseUrl(' sqlite::memory: ')).toEqual({ kind: 'sqlite', filename: ':memory:' });
  });

  it('recognises both PostgreSQL schemes', () => {
    expect(parseDatabaseUrl('postgres://u:p@db:5432/alertgate').kind).toBe('postgres');
    expect(parseDatabaseUrl('postgresql://db/alertgate').kind).toBe('postgres');
  });

  it('refuses empty and sqlite:// paths with a hint', () => {
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/sqlite:data\/alertgate\.db/);
    expect(() => parseDatabaseUrl('sqlite:///var/db')).toThrow(/write sqlite:<path>/);
  });

  it('names an unsupported URL without its password', () => {
    let message = '';
    try {
      parseDatabaseUrl('mysql://admin:s3cr/et@db.internal:3306/alertgate');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('unsupported DATABASE_URL "mysql://admin:***@db.internal:3306/alertgate"');
    expect(message).not.toContain('s3cr');
  });

  it("names a libpq keyword/value connection string without its password, saying the URL forms it takes", () => {
    expect(() => parseDatabaseUrl('host=db.internal user=alertgate password=S3cret-pw dbname=alertgate')).toThrow(
      'unsupported DATABASE_URL "host=db.internal user=alertgate password=*** dbname=alertgate": expected sqlite:<path>, sqlite::memory:, postgres://… or postgresql://…',
    );
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://app:hunter2@db/x', 'postgres://app:***@db/x'],
    ['postgres://app@db/x', 'postgres://app@db/x'],
    ['postgres://app:p@ss:w#rd@db/x', 'postgres://app:***@db/x'],
    ['redis:app:pw@host', '***@host'],
    ['sqlite:data/a.db', 'sqlite:data/a.db'],
    ['postgres://app@db/x?password=hunter2', 'postgres://app@db/x?password=***'],
    ['postgres://db/x?sslmode=require&PASSWORD=p@ss&application_name=ag', 'postgres://db/x?sslmode=require&PASSWORD=***&application_name=ag'],
    ['postgres://app:pw@db/x?sslpassword=keypass#frag', 'postgres://app:***@db/x?sslpassword=***#frag'],
    // Connection strings that are no URL (refused, but named in the refusal): libpq's keyword/value form, ADO.NET's.
    ['host=db user=app password=S3cret-pw dbname=x', 'host=db user=app password=*** dbname=x'],
    ["host=db password = 'S3cret pw\\' x' dbname=x", 'host=db password = *** dbname=x'],
    ['password=S3cret pw sslmode=require', 'password=*** sslmode=require'],
    ['host=db sslpassword=keypass', 'host=db sslpassword=***'],
    ['Host=db;Username=app;Password=S3cret pw;Database=x', 'Host=db;Username=app;Password=***;Database=x'],
    // Npgsql's synonyms of Password; an ADO.NET key with spaces after the password.
    ['Host=db;Username=app;Pwd=s3cret;Database=x', 'Host=db;Username=app;Pwd=***;Database=x'],
    ['Host=db;PSW=s3cret;Trust Server Certificate=true', 'Host=db;PSW=*** Certificate=true'],
    // libpq's values end at whitespace: a ; is part of the password.
    ['host=db password=a;b dbname=x', 'host=db password=*** dbname=x'],
    ['password=a;b', 'password=***'],
    // ADO.NET doubles a quote inside a quoted value.
    ["Host=db;Username=app;Password='pa''ss;word';Database=x", 'Host=db;Username=app;Password=***;Database=x'],
    ['Host=db;Password="pa""ss";Database=x', 'Host=db;Password=***;Database=x'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('urlPasswords (what the gateway\'s logger scrubs of DATABASE_URL and THANOS_URL)', () => {
  it('gives the userinfo password decoded, and every password= and sslpassword= parameter', () => {
    expect(urlPasswords('postgres://app:p%40ss%2Fw0rd@db/x?password=second-pw&sslpassword=keypass')).toEqual(['p@ss/w0rd', 'second-pw', 'keypass']);
  });

  it('keeps a password with a "%" that is no escape as written (node-postgres sends it so), and the URL\'s other passwords', () => {
    expect(urlPasswords('postgres://app:50%off-Secret@db/x?password=second-pw')).toEqual(['50%off-Secret', 'second-pw']);
  });
});

describe('openStore', () => {
  it('opens a SQLite file, creating its parent folders', async () => {
    const file = join(dir, 'nested', 'deeper', 'alertgate.db');
    const store = await openStore(`sqlite:${file}`);
    try {
      expect(store.kind).toBe('sqlite');
      await store.ping();
      expect(existsSync(file)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('names DATABASE_URL and the path when a SQLite file cannot be opened', async () => {
    const notADatabase = join(dir, 'notes.txt');
    writeFileSync(notADatabase, 'not a database, just some text long enough to fill the header page of a sqlite file'.repeat(10));
    await expect(openStore(`sqlite:${notADatabase}`)).rejects.toThrow(`cannot open SQLite store at ${notADatabase} (DATABASE_URL): file is not a database`);
    await expect(openStore('sqlite:/dev/null/x.db')).rejects.toThrow('cannot open SQLite store at /dev/null/x.db (DATABASE_URL): /dev/null is not a directory (ENOTDIR)');
  });

  it('opens an in-memory SQLite store', async () => {
    const store = await openStore('sqlite::memory:');
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it('names an unreachable PostgreSQL server without echoing the password', async () => {
    const err = await openStore('postgres://app:hunter2@127.0.0.1:1/alertgate').catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^cannot open PostgreSQL store at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/alertgate: /);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('masks a password given as a query parameter, on a failed start', async () => {
    const err = await openStore('postgres://app@127.0.0.1:1/alertgate?password=hunter2').catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^cannot open PostgreSQL store at postgres:\/\/app@127\.0\.0\.1:1\/alertgate\?password=\*\*\*: /);
    expect((err as Error).message).not.toContain('hunter2');
  });
});

describe.skipIf(!admin)('openStore on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('says to create the schema a search_path names when it does not exist', async () => {
    const url = new URL(db.url);
    url.searchParams.set('options', '-c search_path=alertgate');
    await expect(openStore(url.toString())).rejects.toThrow(
      /no schema has been selected to create in \(schema "alertgate" named by search_path does not exist: create it first with CREATE SCHEMA alertgate\)$/,
    );
  });

  it('says the user may not use the search_path schema when it exists but they have no USAGE on it', async () => {
    // PostgreSQL skips a search_path schema its user may not use, with the same words as for one
    // that does not exist; "create it first" then sent the operator after a schema that is there.
    const role = `ag_nousage_${randomBytes(4).toString('hex')}`;
    await adminQuery(db.url, `CREATE ROLE ${role} LOGIN`);
    try {
      await adminQuery(db.url, 'CREATE SCHEMA locked');
      const url = new URL(db.url);
      url.username = role;
      url.searchParams.set('options', '-c search_path=locked');
      await expect(openStore(url.toString())).rejects.toThrow(
        new RegExp(
          `no schema has been selected to create in \\(schema "locked" named by search_path exists, but user "${role}" has no USAGE on it: ` +
            `GRANT USAGE, CREATE ON SCHEMA locked TO ${role}\\)$`,
        ),
      );
    } finally {
      await adminQuery(db.url, `DROP ROLE ${role}`);
    }
  });

  it('writes the GRANT and CREATE SCHEMA it suggests with the names quoted, so they run for a role or schema with a hyphen or capital', async () => {
    // An unquoted `alert-gate` is a syntax error and an unquoted `Alertgate` names `alertgate`.
    const role = `Ag-NoUsage-${randomBytes(4).toString('hex')}`;
    await adminQuery(db.url, `CREATE ROLE "${role}" LOGIN`);
    try {
      await adminQuery(db.url, 'CREATE SCHEMA "locked-gate"');
      const url = new URL(db.url);
      url.username = role;
      url.searchParams.set('options', '-c search_path=locked-gate');
      const grant = `GRANT USAGE, CREATE ON SCHEMA "locked-gate" TO "${role}"`;
      await expect(openStore(url.toString())).rejects.toThrow(
        `(schema "locked-gate" named by search_path exists, but user "${role}" has no USAGE on it: ${grant})`,
      );
      // The suggestion runs as written, and then the store opens.
      await adminQuery(db.url, grant);
      const store = await openStore(url.toString());
      await store.close();
      await adminQuery(db.url, 'DROP SCHEMA "locked-gate" CASCADE');

      url.searchParams.set('options', '-c search_path=Missing-Gate');
      await expect(openStore(url.toString())).rejects.toThrow(
        '(schema "Missing-Gate" named by search_path does not exist: create it first with CREATE SCHEMA "missing-gate")',
      );
    } finally {
      await adminQuery(db.url, 'DROP SCHEMA IF EXISTS "locked-gate" CASCADE');
      await adminQuery(db.url, `DROP OWNED BY "${role}"`);
      await adminQuery(db.url, `DROP ROLE "${role}"`);
    }
  });

  it.each(['postgres', 'postgresql'])('opens and migrates a %s:// database', async (scheme) => {
    const store = await openStore(db.url.replace(/^postgres(ql)?:/, `${scheme}:`));
    try {
      expect(store.kind).toBe('postgres');
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.outboxDepth()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
