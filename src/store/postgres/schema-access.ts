/**
 * @module store/postgres/schema-access
 * Whether a schema exists and the connecting user may use it, for the message of a start that
 * failed with "no schema has been selected to create in": PostgreSQL says that both when the
 * search_path schema is missing and when its user has no USAGE on it (it skips such a schema).
 */
import { createPool } from './pool.js';

export interface SchemaAccess {
  /** The user the URL connects as (current_user). */
  user: string;
  /**
   * `user` and the schema as SQL writes them (quote_ident): the GRANT and CREATE SCHEMA the hint
   * suggests must run as printed, also for `alert-gate` (a syntax error unquoted) or `Alertgate`
   * (unquoted, another name: `alertgate`).
   */
  userIdent: string;
  schemaIdent: string;
  exists: boolean;
  /** USAGE on the schema (false when it does not exist). */
  usage: boolean;
}

/**
 * Looks `schema` up as written in a search_path (unquoted names fold to lower case); undefined
 * when the lookup itself fails (the server went away meanwhile): the caller then cannot tell.
 */
export async function schemaAccess(url: string, schema: string): Promise<SchemaAccess | undefined> {
  const name = /^".*"$/.test(schema) ? schema.slice(1, -1).replace(/""/g, '"') : schema.toLowerCase();
  const pool = createPool(url, { max: 1 });
  try {
    const { rows } = await pool.query<{ user: string; userIdent: string; schemaIdent: string; usage: boolean | null }>(
      `SELECT current_user AS "user", quote_ident(current_user) AS "userIdent", quote_ident($1) AS "schemaIdent", (SELECT has_schema_privilege(n.oid, 'USAGE') FROM pg_namespace n WHERE n.nspname = $1) AS usage`,
      [name],
    );
    const row = rows[0];
    return row ? { user: row.user, userIdent: row.userIdent, schemaIdent: row.schemaIdent, exists: row.usage !== null, usage: row.usage === true } : undefined;
  } catch {
    return undefined;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
