/**
 * @module storm/storm-ticker
 * Ends storms after a quiet minute. Nothing arrives to trigger that, so a timer looks at every
 * configured channel's state every few seconds (under the store lock: one replica ends it), and at
 * every storm the store knows to be going on (`activeStormIds`): one in a channel a reload has
 * dropped from the config, where nothing new is gathered any more, ends after its quiet minute
 * too, and its digest closes. For a team with storm.holdPagerDuty it first reads the ids of the
 * groups a storm due to end gathered, so that the write ending it pages those still owed a page
 * (held-pages.ts).
 */
import type { RoutingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { startTicker, type Ticker } from '../pipeline/ticker.js';
import type { Store } from '../store/store.js';
import { channelGroupId, readChannelState, teamChannels } from './channel-state.js';
import { holdsPages, stormKey } from './held-pages.js';
import { channelOfState, endQuietStorms, stormIsOver, type StormContext } from './storm-control.js';

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
 * One pass: end every storm that has been quiet for a minute; answers how many notifications
 * that queued (digest edits, and pages owed: held-pages.ts). `signal` (shutdown) ends it before
 * its write: the storms end at the next start's pass.
 */
export async function tickStorms(o: StormTickerOptions, signal?: AbortSignal): Promise<number> {
  const config = o.config();
  if (!config) return 0;
  const configured = [...config.teams.values()].flatMap((t) => teamChannels(t).map((c) => channelGroupId(t.team, c)));
  const active = await o.store.activeStormIds();
  const ids = [...new Set([...configured, ...active])];
  if (ids.length === 0 || signal?.aborted) return 0;
  const now = (o.now ?? (() => new Date()))();
  const ctx = { config, now, ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}), ...(o.windowMs ? { windowMs: o.windowMs } : {}) };
  const gathered = await gatheredOfEndingStorms(o.store, active, ctx);
  if (signal?.aborted) return 0;
  const inserted = await o.store.updateGroups([...ids, ...gathered.ids], (current) => endQuietStorms(current, { ...ctx, gatheredRead: gathered.storms }));
  if (inserted.length > 0) {
    const pages = inserted.filter((n) => n.target.type === 'pagerduty');
    const channels = inserted.filter((n) => n.target.type === 'slack').map((n) => (n.target.type === 'slack' ? n.target.channel : ''));
    o.logger.info({ channels, ...(pages.length > 0 ? { pagesReleased: pages.length } : {}) }, 'alert storm over');
    for (const [team, n] of countByTeam(pages)) o.onPagesReleased?.(team, n);
    o.onEnded?.();
  }
  return inserted.length;
}

/**
 * Storm states (committed) of teams with storm.holdPagerDuty whose storm is due to end: the ids
 * of the groups each gathered, to page under the lock those still firing that never paged. Read
 * only for storms due to end, and only ids: the write reads the groups.
 */
async function gatheredOfEndingStorms(store: Store, activeIds: readonly string[], ctx: StormContext): Promise<{ ids: string[]; storms: Set<string> }> {
  const ids = new Set<string>();
  const storms = new Set<string>();
  for (const id of activeIds) {
    const record = await store.getGroup(id);
    const channel = record && channelOfState(record);
    if (!record || channel === undefined || !holdsPages(ctx.config.teams.get(record.team))) continue;
    const state = readChannelState(record);
    if (!stormIsOver(state, ctx) || state.stormStartedAt === null) continue;
    const storm = { team: record.team, channel, storm: state.stormStartedAt };
    for (const groupId of await store.stormGroupIds(storm.team, channel, storm.storm)) ids.add(groupId);
    storms.add(stormKey(storm));
  }
  return { ids: [...ids], storms };
}

function countByTeam(notifications: readonly { team: string }[]): Map<string, number> {
  const byTeam = new Map<string, number>();
  for (const n of notifications) byTeam.set(n.team, (byTeam.get(n.team) ?? 0) + 1);
  return byTeam;
}

export function startStormTicker(o: StormTickerOptions): Ticker {
  return startTicker((signal) => tickStorms(o, signal), o.intervalMs ?? 5_000, o.logger, 'storm ticker');
}
