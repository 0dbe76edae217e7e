/**
 * @module http/deps
 * What the HTTP layer needs from the rest of the app (wired in server.ts).
 */
import type { RoutingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { DeliveryHandOff } from '../pipeline/accept.js';
import type { Store } from '../store/store.js';
import type { UptimeService } from '../uptime/service.js';
import type { AcceptedToken } from './auth.js';

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
  /** WEBHOOK_TOKEN; unset: the webhook needs none. */
  webhookToken?: AcceptedToken;
  /** ADMIN_TOKEN; unset: admin writes are refused. */
  adminToken?: AcceptedToken;
  maxBodyBytes: number;
  /** Called after a webhook's notifications are committed (wakes the outbox worker). */
  onAccepted?: () => void;
  /**
   * Called when ending a maintenance window queued its held groups' notifications again: counts
   * them and wakes the outbox worker (the maintenance ticker reports window ends the same way).
   */
  onMaintenanceReleased?: (team: string, notifications: number) => void;
  /** The local outbox worker, to take a webhook's new items straight from its write. */
  handOff?: DeliveryHandOff;
  reload?: () => Promise<ReloadOutcome>;
  /** False while draining for shutdown. */
  accepting: () => boolean;
  /** Base URL of this gateway for links in messages (ALERTGATE_PUBLIC_URL). */
  publicUrl?: string;
  stormWindowMs?: number;
  now?: () => Date;
  /** Monotonic clock (ms) the throttle windows of the refusal and unmatched-path logs run on (tests); default `performance.now`. */
  refusalLogNow?: () => number;
  /** Monotonic clock (ms) of the webhook's store-failure lines (log/failure-streak.ts: one per cause per 30 s during an outage; tests); default `performance.now`. */
  outageLogNow?: () => number;
  /** Timers on `outageLogNow`'s clock (the store-recovery line; tests fire them); default an unref'd setTimeout. */
  outageLogTimer?: (ms: number, fire: () => void) => () => void;
  /** Aborted at shutdown: clears the HTTP layer's timers, so no line comes after it. */
  shutdown?: AbortSignal;
  /**
   * The secrets the logger blanks (server.ts's scrub list): the refusal and unmatched-path lines
   * blank them in the request texts they copy before cutting those (http/refusal-log.ts requestText).
   */
  logSecrets?: () => readonly string[];
  /** Uptime reports (/v1/uptime, /uptime pages); without it they answer 503. */
  uptime?: UptimeService;
  /**
   * UPTIME_REPORT_TIMEOUT_MS: how long a report served over HTTP may take before its queries are
   * stopped and it answers 503; 0 or unset: no deadline.
   */
  uptimeReportTimeoutMs?: number;
}
