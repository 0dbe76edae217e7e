/**
 * @module uptime/wiring
 * Everything the gateway needs for uptime, built from settings in one call (server.ts stays
 * wiring-only): the report service behind /v1/uptime and /uptime, and the scheduler of the
 * teams' `reports:`.
 */
import { fileClientToken } from '../config/client-token.js';
import type { RoutingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { fileChecksSource } from './checks-source.js';
import { createReportScheduler, type ReportCount, type ReportScheduler, type ScheduleFn } from './report-scheduler.js';
import { createUptimeService, type UptimeService } from './service.js';
import type { ThanosSettings } from './settings.js';
import { createThanosClient } from './thanos-client.js';
import { reportMaintenanceFrom } from './stored-windows.js';

export interface UptimeWiringOptions {
  thanos: ThanosSettings;
  configDir: string;
  env: NodeJS.ProcessEnv;
  routing: () => RoutingConfig | undefined;
  store: Store;
  /** Wakes the outbox worker after a summary was queued. */
  onEnqueued: () => void;
  logger: Logger;
  publicUrl?: string;
  /** Tests replace the cron timer (report-scheduler.ts cronSchedule). */
  schedule?: ScheduleFn;
  /** Each outcome of a scheduled run (the metrics). */
  counted?: (team: string, outcome: ReportCount) => void;
  /** A new Thanos token read from THANOS_TOKEN_FILE: it joins the logger's scrub list. */
  onSecret?: (secret: string) => void;
}

export interface UptimeWiring {
  service: UptimeService;
  scheduler: ReportScheduler;
  /** End every Thanos query in flight (each fails as `unavailable`) and refuse new ones: shutdown. */
  abortQueries(): void;
}

export function createUptime(o: UptimeWiringOptions): UptimeWiring {
  const logger = o.logger.child({ component: 'uptime' });
  const { url, token, tokenFile, timeoutMs, resolution } = o.thanos;
  const queries = new AbortController();
  // From THANOS_TOKEN_FILE the token follows a rotated Secret: a 401/403 reads the file again.
  const bearer =
    token && tokenFile
      ? fileClientToken({ token, file: tokenFile, variable: 'THANOS_TOKEN_FILE', service: 'Thanos', logger, ...(o.onSecret ? { onChange: o.onSecret } : {}) })
      : token;
  const client = url ? createThanosClient({ url, timeoutMs, signal: queries.signal, ...(bearer ? { token: bearer } : {}) }) : undefined;
  const checks = fileChecksSource({ configDir: o.configDir, env: o.env, routeTeams: () => o.routing()?.teams.keys(), logger });
  const service = createUptimeService({
    ...(client ? { client } : {}),
    checks,
    policy: resolution,
    // Config windows and ad-hoc ones (API) alike: planned work is not downtime. The stored ones
    // are read once per report, and every service of it takes its windows from that one read.
    reportMaintenance: reportMaintenanceFrom((team) => o.routing()?.teams.get(team), o.store),
  });
  const scheduler = createReportScheduler({
    routing: o.routing,
    uptime: service,
    store: o.store,
    onEnqueued: o.onEnqueued,
    logger,
    ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
    ...(o.schedule ? { schedule: o.schedule } : {}),
    ...(o.counted ? { counted: o.counted } : {}),
    abandon: () => queries.abort(),
  });
  if (!client) logger.warn({}, 'THANOS_URL is not set: uptime reports answer 503 and scheduled summaries fail until it is');
  else logger.info({ thanos: client.displayUrl }, 'uptime reports query Thanos');
  return { service, scheduler, abortQueries: () => queries.abort() };
}
