/**
 * @module cli/uptime-store
 * The gateway's store for `alertgate uptime`, opened read-only: it holds the ad-hoc maintenance
 * windows (POST /v1/maintenance) that the gateway's reports excuse, so the CLI's figures are the
 * page's. The store is the one `alertgate serve` would open from the same environment:
 * `DATABASE_URL`, else the default SQLite file in the working directory. Nothing is created,
 * migrated or written (a run against production changes nothing there). Only the maintenance
 * windows are read, so a store one or more releases behind or ahead of this CLI is read as long
 * as they are kept as this release reads them (store/schema-version.ts: a rolling upgrade, a CLI
 * newer than the gateway); a store whose schema is older than that, or newer than this release
 * knows, is not read: an error when DATABASE_URL names it, a note beside a routes/-only report
 * when it is the default file.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_DATABASE_URL } from '../config/env.js';
import { openStore, parseDatabaseUrl } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { CliIO } from './io.js';

const DEFAULT_FILE = DEFAULT_DATABASE_URL.slice('sqlite:'.length);

/** The one-line stderr note of a run that reads no store, saying why (`why`) and how to include the API's windows. */
function noStoreNote(why: string): string {
  return `uptime: note: maintenance windows created through the API (POST /v1/maintenance) are not included: ${why}; set DATABASE_URL to the gateway's database to include them`;
}

/** The store opened read-only, or no store and the stderr note to print after the report. */
export type UptimeStore = { store: Store; note?: undefined } | { store?: undefined; note: string };

/**
 * The store opened read-only. Without `DATABASE_URL`, none when there is no default file (a run
 * in a pull request's checkout), and none either when that file cannot be used (a schema newer
 * or too old after a git pull, not a database): the default was not asked for, so the report is
 * still worth printing, with a note saying why. Rejects, naming the store, when `DATABASE_URL`
 * names one that cannot be opened or has a schema version it does not read.
 */
export async function openUptimeStore(io: CliIO): Promise<UptimeStore> {
  const configured = io.env.DATABASE_URL?.trim();
  if (configured) return { store: await openStore(configured, { readOnly: true, cwd: io.cwd }) };
  const fallback = parseDatabaseUrl(DEFAULT_DATABASE_URL, io.cwd);
  if (fallback.kind !== 'sqlite' || !existsSync(fallback.filename)) {
    return { note: noStoreNote(`no store (DATABASE_URL is unset and there is no ${DEFAULT_FILE} here)`) };
  }
  try {
    return { store: await openStore(DEFAULT_DATABASE_URL, { readOnly: true, cwd: io.cwd }) };
  } catch (err) {
    // openStore's message names DATABASE_URL, which is unset here: say the cause alone.
    const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error) : (err as Error);
    return { note: noStoreNote(`DATABASE_URL is unset and ${DEFAULT_FILE} here cannot be read: ${cause.message}`) };
  }
}
