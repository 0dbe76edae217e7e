/**
 * @module maintenance/release
 * When a window ends (or is deleted), deliver the groups it held that are still firing, once,
 * through storm control like a webhook's groups: a window ending over a flood posts at most the
 * channel's storm limit and gathers the rest into its digest. A timer runs this for every team;
 * deleting a window runs it at once, and the first pass after a config reload looks at every
 * held group of the teams whose windows changed.
 */
import type { RoutingConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import type { Logger } from '../log/logger.js';
import { startTicker, type Ticker } from '../pipeline/ticker.js';
import { updateFromRecord } from '../pipeline/split-by-team.js';
import type { GroupRecord, GroupWrite, Store } from '../store/store.js';
import { channelGroupId, teamChannels } from '../storm/channel-state.js';
import { applyStormControl, digestedByTeam } from '../storm/storm-control.js';
import { updateGroupsLockingChannels } from '../storm/channel-locks.js';
import { withOwedPage } from '../storm/held-pages.js';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState } from './state.js';
import { holdingWindow, openWindows, type OpenWindow } from './windows.js';

/**
 * Held groups looked at under one lock: a window ending over a flood's thousands of held groups
 * releases them in turns, so no write holds the team's webhooks (or PostgreSQL's locks) for long.
 * With SQLite a turn's loading and deciding run on the event loop: at 500 groups of 10 alerts
 * the event loop stalled up to 136–143 ms per turn, at 100 up to 39–46 ms, and the release took
 * as long (docs/performance.md, "twelfth session", item 4).
 */
const RELEASE_BATCH = 100;

/** What storm control needs besides the config (as pipeline/accept.ts's AcceptOptions). */
export interface ReleaseOptions {
  /** Base URL of this gateway for links in digests (ALERTGATE_PUBLIC_URL). */
  publicUrl?: string;
  /** Storm counting window / quiet period (default one minute). */
  stormWindowMs?: number;
  /** Released groups storm control gathered into a digest (alertgate_storm_groups_digested_total, as a webhook's). */
  onDigested?: (team: string, groups: number) => void;
  /**
   * Ends the release between two store calls (shutdown: the store is about to close). What was
   * not looked at stays held, and the next start's first pass looks at every held group.
   */
  signal?: AbortSignal;
}

/**
 * Release what no open window holds any more; answers how many notifications were queued.
 * The store finds the held groups whose hold has ended (`heldGroupIds`); with `force` (a window
 * was deleted, the config changed) every held group of the team is looked at. Groups listed as
 * held in the state by a version before are looked at too, and from then on held on their rows.
 */
export async function releaseHeld(store: Store, config: RoutingConfig, team: string, now: Date, force = false, opts: ReleaseOptions = {}): Promise<number> {
  const stateId = maintenanceStateId(team);
  // The storm state of the team's channels is decided under the same lock as the released groups.
  const teamConfig = config.teams.get(team);
  const channelIds = teamConfig ? teamChannels(teamConfig).map((channel) => channelGroupId(team, channel)) : [];
  const storm = { config, now, ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}), ...(opts.stormWindowMs ? { windowMs: opts.stormWindowMs } : {}) };
  const listed = readMaintenanceState(await store.getGroup(stateId)).legacyHeld.ids();
  if (opts.signal?.aborted) return 0;
  const due = await store.heldGroupIds(team, force ? undefined : now);
  const ids = [...new Set([...due, ...listed])];
  let queued = 0;
  for (let i = 0; i < ids.length && !opts.signal?.aborted; i += RELEASE_BATCH) {
    const batch = ids.slice(i, i + RELEASE_BATCH);
    const inserted = await updateGroupsLockingChannels(store, [stateId, ...channelIds, ...batch], (current, alsoLocked) => {
      const prev = current.get(stateId);
      const state = readMaintenanceState(prev);
      const windows = openWindows(config.teams.get(team), state.windows, now);
      const writes: GroupWrite[] = [];
      let unlisted = false;
      for (const id of batch) {
        const wasListed = state.legacyHeld.has(id);
        if (wasListed) {
          state.legacyHeld.delete(id);
          unlisted = true;
        }
        const group = current.get(id);
        // Released meanwhile (a webhook changed it, another pass), or gone.
        if (!group || (group.heldUntil === undefined && !wasListed)) continue;
        const write = look(group, windows, current, config, now);
        if (write) writes.push(write);
      }
      const released = applyStormControl(writes, current, { ...storm, alsoLocked });
      return unlisted ? [...released, { group: maintenanceRecord(team, state, prev, now), notifications: [] }] : released;
    });
    queued += inserted.filter((n) => n.status === 'pending').length;
    for (const [digestedTeam, groups] of digestedByTeam(inserted)) opts.onDigested?.(digestedTeam, groups);
  }
  return queued;
}

/**
 * A held group looked at: still held (until the end of the window now holding it), or released,
 * with the page its storm's end owed it when the window held that (storm/held-pages.ts).
 */
function look(group: GroupRecord, windows: OpenWindow[], current: Map<string, GroupRecord>, config: RoutingConfig, now: Date): GroupWrite | undefined {
  const window = holdingWindow(windows, group.alerts);
  if (window) {
    const until = window.end.getTime();
    return group.heldUntil === until ? undefined : { group: { ...group, heldUntil: until }, notifications: [] };
  }
  const free: GroupRecord = { ...group };
  delete free.heldUntil;
  // Resolved inside the window: nothing to send, it is only no longer held.
  if (!group.alerts.some((a) => a.status === 'firing')) return { group: free, notifications: [] };
  return withOwedPage(decideGroup(free, updateFromRecord(free, config), now), current, config, now);
}

export interface MaintenanceTickerOptions {
  store: Store;
  config: () => RoutingConfig | undefined;
  logger: Logger;
  intervalMs?: number;
  now?: () => Date;
  /** Notifications were queued for the team's released groups (metrics, waking the outbox). */
  onReleased?: (team: string, notifications: number) => void;
  /** For storm control of the released groups (ReleaseOptions). */
  publicUrl?: string;
  stormWindowMs?: number;
  onDigested?: (team: string, groups: number) => void;
  /** Ends the pass between two store calls (ReleaseOptions). */
  signal?: AbortSignal;
}

/** One pass over every team; `force` (for every team, or those it names): look at every held group (see releaseHeld). */
export async function releaseAll(o: MaintenanceTickerOptions, force: boolean | ((team: string) => boolean) = false): Promise<number> {
  const config = o.config();
  if (!config) return 0;
  let total = 0;
  for (const team of config.teams.keys()) {
    if (o.signal?.aborted) break;
    const n = await releaseHeld(o.store, config, team, (o.now ?? (() => new Date()))(), typeof force === 'function' ? force(team) : force, o);
    if (n > 0) {
      o.logger.info({ team, notifications: n }, 'maintenance over: held groups delivered');
      o.onReleased?.(team, n);
    }
    total += n;
  }
  return total;
}

/** A team's configured windows as text, to tell whether a reload changed them. */
function windowsOf(config: RoutingConfig | undefined, team: string): string | undefined {
  const windows = config?.teams.get(team)?.maintenance;
  return windows && JSON.stringify(windows.map((w) => ({ ...w, matchers: w.matchers.map((m) => m.source) })));
}

/**
 * The ticker's pass. A reloaded config may end or shorten a team's window: that team's held
 * groups are all looked at once after it (every team's after a start). A reload that leaves a
 * team's windows as they were does not, so a routes change during a flood under a window does
 * not read every held group again.
 */
export function maintenancePass(o: MaintenanceTickerOptions): (signal?: AbortSignal) => Promise<number> {
  let lookedWith: RoutingConfig | undefined;
  return async (signal) => {
    const config = o.config();
    const before = lookedWith;
    const released = await releaseAll(signal ? { ...o, signal } : o, before === undefined || ((team) => config !== before && windowsOf(config, team) !== windowsOf(before, team)));
    // A pass stopped part way (shutdown) has not looked at every team it was to.
    if (!signal?.aborted) lookedWith = config;
    return released;
  };
}

export function startMaintenanceTicker(o: MaintenanceTickerOptions): Ticker {
  return startTicker(maintenancePass(o), o.intervalMs ?? 15_000, o.logger, 'maintenance release');
}
