/**
 * @module store/open-store
 * Chooses and opens the store named by `DATABASE_URL`.
 *
 * @example
 * const store = await openStore(process.env.DATABASE_URL ?? 'sqlite:data/alertgate.db');
 */
import { dirname, resolve } from 'node:path';
import { makeDirs } from '../fs/make-dirs.js';
import type { MigrationEvent } from './postgres/migrations.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { schemaAccess } from './postgres/schema-access.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export type DatabaseLocation =
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; url: string };

const EXPECTED = 'expected sqlite:<path>, sqlite::memory:, postgres://… or postgresql://…';

/**
 * Parse a `DATABASE_URL`: `sqlite::memory:`, `sqlite:<path>` (relative paths resolve against
 * `cwd`), or `postgres://…`/`postgresql://…`. Errors name the URL with any password masked.
 */
export function parseDatabaseUrl(databaseUrl: string, cwd: string = process.cwd()): DatabaseLocation {
  const url = databaseUrl.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url };
  if (scheme !== 'sqlite') throw new Error(`unsupported DATABASE_URL "${redactUrl(url)}": ${EXPECTED}`);
  const path = url.slice('sqlite:'.length);
  if (path === ':memory:') return { kind: 'sqlite', filename: ':memory:' };
  if (path === '' || path.startsWith('//')) {
    // sqlite://… is ambiguous across tools (is sqlite:///x relative or absolute?): refuse it.
    throw new Error(
      `invalid DATABASE_URL "${redactUrl(url)}": write sqlite:<path>, e.g. sqlite:data/alertgate.db or sqlite:/var/lib/alertgate/alertgate.db`,
    );
  }
  return { kind: 'sqlite', filename: resolve(cwd, path) };
}

export interface OpenStoreOptions {
  /** Where PostgreSQL connection errors between queries are reported (they also surface as rejected calls). */
  onConnectionError?: (err: Error) => void;
  /** PostgreSQL schema migration progress at open (waiting for another replica's migration, steps applied). */
  onMigration?: (event: MigrationEvent) => void;
  /** Every SQLite group-commit batch: write calls in it and seconds it took (not for PostgreSQL). */
  onCommit?: (stats: { writes: number; seconds: number }) => void;
  /**
   * To read only (`alertgate uptime` against the gateway's database): nothing is created,
   * migrated or written, and a schema is refused unless the groups (the maintenance windows) have
   * the shape this release reads: from the backend's OLDEST_READ_ONLY_VERSION to this release's
   * (store/schema-version.ts). On an older one than this release's, read groups only (`getGroup`).
   */
  readOnly?: boolean;
  /** What a relative SQLite path is relative to (default: the process's working directory). */
  cwd?: string;
}

/**
 * Open the store for a `DATABASE_URL`, creating the SQLite file's parent folders, or connecting
 * to (and migrating) PostgreSQL; `readOnly` does neither. Errors name the URL with its password masked.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseDatabaseUrl(databaseUrl, options.cwd);
  const readOnly = options.readOnly === true;
  if (location.kind === 'postgres') {
    try {
      return await openPostgresStore(location.url, { onIdleError: options.onConnectionError, onMigration: options.onMigration, readOnly });
    } catch (err) {
      const reason = redactPassword((err as Error).message, location.url) + (await missingSchemaHint(err, location.url));
      throw new Error(`cannot open PostgreSQL store at ${redactUrl(location.url)}: ${reason}`, { cause: err });
    }
  }
  try {
    if (location.filename !== ':memory:' && !readOnly) await makeDirs(dirname(location.filename));
    return openSqliteStore(location.filename, { readOnly, ...(options.onCommit ? { onCommit: options.onCommit } : {}) });
  } catch (err) {
    // "/dev/null is not a directory (ENOTDIR)", "cannot create directory /proc/x: …" or "file is
    // not a database" alone do not say which setting to fix.
    throw new Error(`cannot open SQLite store at ${location.filename} (DATABASE_URL): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * PostgreSQL's own words for a search_path schema it cannot create in ("no schema has been
 * selected to create in", SQLSTATE 3F000) do not say which schema, nor what to do about it; and
 * they are the same whether the schema does not exist or exists without USAGE for this user (an
 * admin created it and granted nothing), so the schema is looked up to say which.
 */
async function missingSchemaHint(err: unknown, url: string): Promise<string> {
  if ((err as { code?: unknown }).code !== '3F000') return '';
  let options = '';
  try {
    options = new URL(url).searchParams.get('options') ?? '';
  } catch {
    // An unparsable URL names no schema; the hint stays general.
  }
  const schema = /search_path\s*=\s*([^\s,]+)/.exec(options)?.[1];
  if (!schema) return ' (the schema search_path names does not exist: create it first with CREATE SCHEMA)';
  const access = await schemaAccess(url, schema);
  if (access === undefined) {
    return ` (schema "${schema}" named by search_path does not exist, or this user has no USAGE on it: create it first with CREATE SCHEMA ${schema}, or grant USAGE and CREATE on it)`;
  }
  if (!access.exists) return ` (schema "${schema}" named by search_path does not exist: create it first with CREATE SCHEMA ${access.schemaIdent})`;
  if (!access.usage) {
    return ` (schema "${schema}" named by search_path exists, but user "${access.user}" has no USAGE on it: GRANT USAGE, CREATE ON SCHEMA ${access.schemaIdent} TO ${access.userIdent})`;
  }
  // There and usable now (created or granted since the start failed): nothing true to add.
  return '';
}

/**
 * Query parameters libpq and node-postgres take a password from (`?password=…` is as valid as
 * userinfo, and the only way some secret stores template a URL). Masked first: the value may
 * hold an `@`, which the userinfo step below would take for the end of userinfo.
 */
const PASSWORD_PARAM = /([?&](?:ssl)?password=)[^&#]*/gi;

/**
 * A password in a connection string that is no URL, which alertgate refuses but names in the
 * refusal: libpq's keyword/value form (`host=db user=app password=s3cret dbname=x`, what lib/pq
 * and psycopg take, a value `'quoted'` when it holds spaces) and ADO.NET's (`Host=db;Password=s3cret;…`,
 * Npgsql's, which also takes `Pwd` and `PSW`, and doubles a quote inside a quoted value).
 */
const KEYWORD_PASSWORD = /((?:^|[\s;])(?:(?:ssl)?password|pwd|psw)\s*=\s*)('(?:[^'\\]|\\.|'')*'?|"(?:[^"]|"")*"?)?/gi;
/** Where an unquoted value may end: before an ADO.NET `;key=` (keys may hold spaces) or a libpq ` key=`. */
const ADO_NEXT_KEY = /;\s*[A-Za-z_][A-Za-z0-9_ ]*=/g;
const LIBPQ_NEXT_KEY = /\s+[A-Za-z_][A-Za-z0-9_]*\s*=/g;

/**
 * `text` with every keyword password masked. An unquoted value runs to the later of the two
 * forms' next keys (a `;` is part of a libpq password; spaces may be part of an ADO.NET one), or
 * to the end when there is none: too much masked rather than too little.
 */
function maskKeywordPasswords(text: string): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(KEYWORD_PASSWORD)) {
    const valueAt = m.index + m[1]!.length;
    if (valueAt < from) continue;
    let end: number;
    if (m[2]) end = valueAt + m[2].length;
    else {
      const nextKey = (re: RegExp): number => {
        re.lastIndex = valueAt;
        return re.exec(text)?.index ?? -1;
      };
      end = Math.max(nextKey(ADO_NEXT_KEY), nextKey(LIBPQ_NEXT_KEY));
      if (end < 0) end = text.length;
    }
    out += `${text.slice(from, valueAt)}***`;
    from = end;
  }
  return out + text.slice(from);
}

/**
 * The URL with its passwords masked: in userinfo and in `password=` query parameters. Userinfo
 * runs to the last `@` (an unencoded password may hold `/`, `?` or `#`), so this errs towards
 * masking too much, never too little.
 */
export function redactUrl(original: string): string {
  const url = maskKeywordPasswords(original.replace(PASSWORD_PARAM, '$1***'));
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@(.*)$/is.exec(url);
  if (m) {
    const [, prefix = '', userinfo = '', rest = ''] = m;
    const colon = userinfo.indexOf(':');
    return `${prefix}${colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:***`}@${rest}`;
  }
  const at = url.lastIndexOf('@');
  return at === -1 ? url : `***${url.slice(at)}`;
}

/** The passwords a URL carries (userinfo, decoded, and `password=` query parameters), for scrub lists. */
export function urlPasswords(url: string | undefined): string[] {
  if (!url) return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // not parseable as a URL: a driver could not have parsed a password out of it either
    return [];
  }
  return [decodedOrAsIs(u.password), ...u.searchParams.getAll('password'), ...u.searchParams.getAll('sslpassword')].filter((p) => p !== '');
}

/**
 * A userinfo password as a driver uses it. A `%` not followed by two hex digits (`50%off`) is no
 * escape: decodeURIComponent throws, and node-postgres sends it as written. The throw used to
 * drop every password of the URL from the scrub list.
 */
function decodedOrAsIs(password: string): string {
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}

/** `message` without the URL's passwords, should a driver ever echo them. */
function redactPassword(message: string, url: string): string {
  return urlPasswords(url)
    .filter((p) => p.length >= 3)
    .reduce((m, p) => m.split(p).join('***'), message);
}
