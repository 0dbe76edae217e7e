/**
 * @module http/deps
 * What the HTTP layer needs from the rest of the app (wired in server.ts).
 */
import type { RoutingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';

export interface ReloadOutcome {
  ok: boolean;
  errors: string[];
}

export interface AppDeps {
  store: Store;
  /** Current routing config (undefined until a valid config was loaded). */
  routing: () => RoutingConfig | undefined;
  metrics: Metrics;
  logger: Logger;
  webhookToken?: string;
  adminToken?: string;
  maxBodyBytes: number;
  /** Called after a webhook's notifications are committed (wakes the outbox worker). */
  onAccepted?: () => void;
  reload?: () => Promise<ReloadOutcome>;
  /** False while draining for shutdown. */
  accepting: () => boolean;
  now?: () => Date;
}
