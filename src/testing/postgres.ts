/**
 * @module testing/postgres
 * PostgreSQL for tests. The server is the one CI starts (127.0.0.1:5432, trust auth, database
 * `test`), or `TEST_DATABASE_URL`. The contract: with `CI=true` an unreachable server fails the
 * run; elsewhere suites that need it are skipped with a loud reason on stderr.
 * Each test file works in a database of its own, dropped afterwards, so files run in parallel.
 *
 * @example
 * const admin = await requirePostgres();
 * describe.skipIf(!admin)('postgres store', () => {
 *   let db: TestDatabase;
 *   beforeAll(async () => (db = await createTestDatabase(admin!)));
 *   afterAll(() => db.drop());
 * });
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A connection URL for tests, or undefined (after a loud skip notice) when none is reachable. */
export async function requirePostgres(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const url = env.TEST_DATABASE_URL || DEFAULT_TEST_POSTGRES_URL;
  const problem = await unreachable(url);
  if (problem === undefined) return url;
  const reason = `PostgreSQL is not reachable at ${new URL(url).host} (${problem}); .ci/run starts it, or set TEST_DATABASE_URL`;
  if (env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  process.stderr.write(`\n!!! SKIPPING tests that need PostgreSQL: ${reason}\n\n`);
  return undefined;
}

async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || (err as Error).name;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** Drop the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Create an empty database `alertgate_test_<random>` on the server of `adminUrl`. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `alertgate_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * `url` whose connections use `schema` (created if needed) as their search_path: an empty
 * store per test without a database per test.
 */
export async function createTestSchema(url: string, schema: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a plain schema name: ${schema}`);
  await adminQuery(url, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Run one statement on a short-lived connection. */
export async function adminQuery(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}
