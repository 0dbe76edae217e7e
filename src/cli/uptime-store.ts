/**
 * @module cli/uptime-store
 * The gateway's store for `alertgate uptime`, opened read-only: it holds the ad-hoc maintenance
 * windows (POST /v1/maintenance) that the gateway's reports excuse, so the CLI's figures are the
 * page's. The store is the one `alertgate serve` would open from the same environment:
 * `DATABASE_URL`, else the default SQLite file in the working directory. Nothing is created,
 * migrated or written (a run against production changes nothing there); a store of another
 * schema version is refused rather than read (store/schema-version.ts).
 */
import { existsSync } from 'node:fs';
import { DEFAULT_DATABASE_URL } from '../config/env.js';
import { openStore, parseDatabaseUrl } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { CliIO } from './io.js';

/** The one-line stderr note of a run that has no store to read the API's windows from. */
export const NO_STORE_NOTE =
  'uptime: note: maintenance windows created through the API (POST /v1/maintenance) are not included: no store ' +
  `(DATABASE_URL is unset and there is no ${DEFAULT_DATABASE_URL.slice('sqlite:'.length)} here); set DATABASE_URL to the gateway's database to include them`;

/**
 * The store opened read-only, or undefined when none is configured (`DATABASE_URL` unset and no
 * default file: a run in a pull request's checkout). Rejects, naming the store, when it is
 * configured but cannot be opened or has another schema version.
 */
export async function openUptimeStore(io: CliIO): Promise<Store | undefined> {
  const configured = io.env.DATABASE_URL?.trim();
  if (!configured) {
    const fallback = parseDatabaseUrl(DEFAULT_DATABASE_URL, io.cwd);
    if (fallback.kind !== 'sqlite' || !existsSync(fallback.filename)) return undefined;
  }
  return openStore(configured || DEFAULT_DATABASE_URL, { readOnly: true, cwd: io.cwd });
}
