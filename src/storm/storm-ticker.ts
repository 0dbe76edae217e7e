/**
 * @module storm/storm-ticker
 * Ends storms after a quiet minute. Nothing arrives to trigger that, so a timer looks at every
 * configured channel's state every few seconds (under the store lock: one replica ends it), and at
 * every storm the store knows to be going on (`activeStormIds`): one in a channel a reload has
 * dropped from the config, where nothing new is gathered any more, ends after its quiet minute
 * too, and its digest closes. For a team with storm.holdPagerDuty it reads the ids of the groups
 * a storm due to end (or ended, with pages still owed) gathered, a batch at a time, so that the
 * write ending it and the writes after it page those still owed a page (held-pages.ts).
 */
import type { RoutingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { startTicker, type Ticker } from '../pipeline/ticker.js';
import type { NotificationRecord, Store } from '../store/store.js';
import { channelGroupId, readChannelState, teamChannels } from './channel-state.js';
import { PAGE_BATCH, stormKey, type OwedBatch } from './held-pages.js';
import { channelOfState, endQuietStorms, stormEndOwesPages, type StormContext } from './storm-control.js';
import { maintenanceStateId } from '../maintenance/state.js';

export interface StormTickerOptions {
  store: Store;
  config: () => RoutingConfig | undefined;
  logger: Logger;
  publicUrl?: string;
  intervalMs?: number;
  /** Quiet period that ends a storm (default one minute). */
  windowMs?: number;
  now?: () => Date;
  /** Called when storms ended (wakes the outbox worker). */
  onEnded?: () => void;
  /** Pages held by storm.holdPagerDuty queued as a storm ended, by team (alertgate_storm_pages_released_total). */
  onPagesReleased?: (team: string, pages: number) => void;
}

/**
 * Writes of owed pages in one pass at most (PAGE_BATCH groups each): a storm bigger than that
 * goes on paying at the next pass.
 */
const MAX_PAGE_WRITES_PER_PASS = 1_000;

/**
 * One pass: end every storm that has been quiet for a minute, and pay the pages owed to the
 * groups of storms that ended (held-pages.ts), a batch per write until none is left; answers how
 * many notifications that queued (digest edits and pages). `signal` (shutdown) ends it before its
 * next write: the storms end, and their pages are paid, at the next start's pass.
 */
export async function tickStorms(o: StormTickerOptions, signal?: AbortSignal): Promise<number> {
  const config = o.config();
  if (!config) return 0;
  const configured = [...config.teams.values()].flatMap((t) => teamChannels(t).map((c) => channelGroupId(t.team, c)));
  const now = (o.now ?? (() => new Date()))();
  const ctx: StormContext = { config, now, ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}), ...(o.windowMs ? { windowMs: o.windowMs } : {}) };
  let queued = 0;
  for (let write = 0; write < MAX_PAGE_WRITES_PER_PASS; write++) {
    const active = await o.store.activeStormIds();
    const ids = [...new Set([...configured, ...active])];
    if (ids.length === 0 || signal?.aborted) break;
    const owed = await owedBatches(o.store, active, ctx, o.logger);
    if (signal?.aborted || (write > 0 && owed.batches.size === 0)) break;
    // The paying teams' maintenance states too: a page due inside a window waits for its end (held-pages.ts).
    const maintenanceIds = [...owed.teams].map(maintenanceStateId);
    const inserted = await o.store.updateGroups([...ids, ...maintenanceIds, ...owed.ids], (current) => endQuietStorms(current, { ...ctx, owed: owed.batches }));
    report(o, inserted);
    queued += inserted.length;
    if (!owed.more) break;
  }
  return queued;
}

function report(o: StormTickerOptions, inserted: readonly NotificationRecord[]): void {
  if (inserted.length === 0) return;
  // Queued pages only: a page a maintenance window holds is inserted suppressed, and paid (and
  // counted in maintenance_released_notifications_total) when the window ends.
  const pages = inserted.filter((n) => n.target.type === 'pagerduty' && n.status === 'pending');
  const channels = inserted.flatMap((n) => (n.target.type === 'slack' ? [n.target.channel] : []));
  if (channels.length > 0) o.logger.info({ channels, ...(pages.length > 0 ? { pagesReleased: pages.length } : {}) }, 'alert storm over');
  else o.logger.info({ pagesReleased: pages.length }, 'alert storm over: held pages queued');
  for (const [team, n] of countByTeam(pages)) o.onPagesReleased?.(team, n);
  o.onEnded?.();
}

/**
 * The next batch of each storm whose pages are owed (committed states): the storms that ended
 * with pages owed, and those of teams with storm.holdPagerDuty due to end now (their first batch
 * is paid by the write that ends them). `more`: a storm has groups beyond its batch. `teams`:
 * those of the batches. A storm whose groups cannot be read now (an error, a statement timeout)
 * has no batch this pass: it still ends, its pages owed (ChannelState.pagesOwed), and a later
 * pass pays them; every other storm ends and pays as usual.
 */
async function owedBatches(
  store: Store,
  activeIds: readonly string[],
  ctx: StormContext,
  logger: Logger,
): Promise<{ ids: string[]; batches: Map<string, OwedBatch>; teams: Set<string>; more: boolean }> {
  const ids = new Set<string>();
  const batches = new Map<string, OwedBatch>();
  const teams = new Set<string>();
  let more = false;
  for (const id of activeIds) {
    const record = await store.getGroup(id);
    const channel = record && channelOfState(record);
    if (!record || channel === undefined) continue;
    const state = readChannelState(record);
    const owed = [...(state.pagesOwed ?? [])];
    const ending = stormEndOwesPages(state, record.team, ctx);
    if (ending !== undefined) owed.push({ storm: ending });
    for (const { storm, after } of owed) {
      let rest: string[];
      try {
        // One more than a batch: whether any is left after it.
        rest = await store.stormGroupIds(record.team, channel, storm, after, PAGE_BATCH + 1);
      } catch (err) {
        logger.warn({ team: record.team, channel, storm: new Date(storm).toISOString(), err }, 'storm ticker: could not read the groups a storm gathered; its pages stay owed to a later pass');
        continue;
      }
      const batch = rest.slice(0, PAGE_BATCH);
      batches.set(stormKey({ team: record.team, channel, storm }), { ids: batch, last: rest.length <= PAGE_BATCH });
      teams.add(record.team);
      for (const g of batch) ids.add(g);
      more ||= rest.length > PAGE_BATCH;
    }
  }
  return { ids: [...ids], batches, teams, more };
}

function countByTeam(notifications: readonly { team: string }[]): Map<string, number> {
  const byTeam = new Map<string, number>();
  for (const n of notifications) byTeam.set(n.team, (byTeam.get(n.team) ?? 0) + 1);
  return byTeam;
}

export function startStormTicker(o: StormTickerOptions): Ticker {
  return startTicker((signal) => tickStorms(o, signal), o.intervalMs ?? 5_000, o.logger, 'storm ticker');
}
