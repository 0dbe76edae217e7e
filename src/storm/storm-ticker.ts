/**
 * @module storm/storm-ticker
 * Ends storms after a quiet minute. Nothing arrives to trigger that, so a timer looks at every
 * configured channel's state every few seconds (under the store lock: one replica ends it), and at
 * every storm the store knows to be going on (`activeStormIds`): one in a channel a reload has
 * dropped from the config, where nothing new is gathered any more, ends after its quiet minute
 * too, and its digest closes.
 */
import type { RoutingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { startTicker, type Ticker } from '../pipeline/ticker.js';
import type { Store } from '../store/store.js';
import { channelGroupId, teamChannels } from './channel-state.js';
import { endQuietStorms } from './storm-control.js';

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
}

/**
 * One pass: end every storm that has been quiet for a minute; answers how many ended. `signal`
 * (shutdown) ends it before its write: the storms end at the next start's pass.
 */
export async function tickStorms(o: StormTickerOptions, signal?: AbortSignal): Promise<number> {
  const config = o.config();
  if (!config) return 0;
  const configured = [...config.teams.values()].flatMap((t) => teamChannels(t).map((c) => channelGroupId(t.team, c)));
  const ids = [...new Set([...configured, ...(await o.store.activeStormIds())])];
  if (ids.length === 0 || signal?.aborted) return 0;
  const now = (o.now ?? (() => new Date()))();
  const inserted = await o.store.updateGroups(ids, (current) =>
    endQuietStorms(current, { config, now, ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}), ...(o.windowMs ? { windowMs: o.windowMs } : {}) }),
  );
  if (inserted.length > 0) {
    o.logger.info({ channels: inserted.map((n) => (n.target.type === 'slack' ? n.target.channel : '')) }, 'alert storm over');
    o.onEnded?.();
  }
  return inserted.length;
}

export function startStormTicker(o: StormTickerOptions): Ticker {
  return startTicker((signal) => tickStorms(o, signal), o.intervalMs ?? 5_000, o.logger, 'storm ticker');
}
