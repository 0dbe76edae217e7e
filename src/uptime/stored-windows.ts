/**
 * @module uptime/stored-windows
 * The ad-hoc maintenance windows (API) a report of [from, to) excuses, as kept in the store: the
 * team's state (maintenance/state.ts: current windows, and those that ended less than a week
 * ago) and the archive's records (maintenance/archive.ts: the one-record archive, and one record
 * per month the range overlaps), so 2 + months records. A report reads them once for all its
 * services (service.ts `reportMaintenance`): read per service, a 400-day report of 20 services
 * made some 300 reads, up to 240 at once on the pool that webhook writes need.
 *
 * `reportMaintenanceFrom` is what a report excuses, for every maker of reports (the gateway's
 * API, pages and summaries, and `alertgate uptime`): one path, so two reports of one period
 * cannot disagree about which windows count.
 */
import type { TeamConfig } from '../config/types.js';
import { archiveIdsFor, readArchivedWindows } from '../maintenance/archive.js';
import { maintenanceCoverage, type ServiceMaintenance } from '../maintenance/intervals.js';
import { maintenanceStateId, readMaintenanceState, type StoredWindow } from '../maintenance/state.js';
import type { Store } from '../store/store.js';

/** What the windows are read through: the gateway's store, or one opened read-only (the CLI). */
export type WindowsStore = Pick<Store, 'getGroup'>;
import { UptimeError } from './errors.js';

/**
 * A store that cannot be read while a report looks for its maintenance windows: the report is
 * not made (without the windows its downtime would be wrong), and says why as an UptimeError
 * `unavailable`, so the pages answer with their HTML error page and JSON clients get its `kind`,
 * not the generic `store unavailable` meant for API calls. Only the error's code is named: a
 * driver's message may quote the connection string.
 */
function storeUnavailable(err: unknown): UptimeError {
  const code = (err as { code?: unknown } | undefined)?.code;
  const why = typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
  return new UptimeError(
    'unavailable',
    `the store (DATABASE_URL) cannot be read${why}: uptime reports need the maintenance windows kept there, so no report is made until it answers again`,
  );
}

/** The team's stored windows that a report of [from, to) may excuse, each once; UptimeError `unavailable` when the store cannot be read. */
export async function readStoredWindows(store: WindowsStore, team: string, from: Date, to: Date): Promise<StoredWindow[]> {
  let state, archive;
  try {
    // Awaited here, so a driver that throws before it returns a promise fails the same way.
    [state, ...archive] = await Promise.all([maintenanceStateId(team), ...archiveIdsFor(team, from, to)].map((id) => store.getGroup(id)));
  } catch (err) {
    throw storeUnavailable(err);
  }
  // The archive's windows ended over a week ago; a report of their period still excuses them.
  // A window across a month's end is in the records of both months: once each here.
  const stored = new Map([...readMaintenanceState(state).windows, ...archive.flatMap(readArchivedWindows)].map((w) => [w.id, w]));
  return [...stored.values()];
}

/**
 * The maintenance a team's report of [from, to) excuses (service.ts `reportMaintenance`): the
 * windows of its routes/ file (`team`) and the ad-hoc ones kept in `store`, current and archived.
 * Without a store (`alertgate uptime` with none configured) the config's windows only.
 */
export function reportMaintenanceFrom(
  team: (name: string) => TeamConfig | undefined,
  store: WindowsStore | undefined,
): (name: string, from: Date, to: Date) => Promise<ServiceMaintenance> {
  return async (name, from, to) => maintenanceCoverage(team(name), store ? await readStoredWindows(store, name, from, to) : [], from, to);
}
