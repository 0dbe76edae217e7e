/**
 * @module uptime/report-types
 * The uptime report (contract "Uptime report JSON"), as every output renders it: JSON, CSV,
 * CLI table, HTML pages and the Slack summary. Fields beyond the contract's are additions.
 */

export interface Incident {
  /** RFC3339 UTC: the first down sample. */
  start: string;
  /** RFC3339 UTC: the first up sample after it, or the last down sample plus one interval. */
  end: string;
  seconds: number;
  /** Part of it inside maintenance windows (not counted as downtime). */
  maintenanceSeconds?: number;
  /** Down already before the range: `start` is the range's start, not the outage's. Absent when not. */
  startedBeforeRange?: true;
  /** Still down at the range's end (or now): `end` is the range's end, not the outage's. Absent when not. */
  continuesAfterRange?: true;
}

export interface MaintenancePeriod {
  start: string;
  end: string;
  reason: string;
}

export interface DailyUptime {
  /** Calendar day in the report's zone. */
  date: string;
  /** Null when the day has no samples. */
  uptimePercent: number | null;
  downSeconds: number;
  noDataSeconds: number;
  /** Time of the day inside maintenance windows covering the service. */
  maintenanceSeconds: number;
}

export interface ServiceUptime {
  service: string;
  objective: number;
  /** Null when the whole range has no samples. */
  uptimePercent: number | null;
  downSeconds: number;
  noDataSeconds: number;
  /** Null when nothing was measured (or the objective is 100% and there was downtime: no budget at all). */
  errorBudgetRemainingPercent: number | null;
  incidents: Incident[];
  daily: DailyUptime[];
  /** The sample interval used for time estimates (configured, inferred, or the 60 s default). */
  intervalSeconds: number;
  /** Time covered by samples. */
  measuredSeconds: number;
  /** Time inside maintenance windows covering the service: its downtime is not downtime. */
  maintenanceSeconds: number;
  maintenance: MaintenancePeriod[];
}

export interface UptimeReport {
  team: string;
  from: string;
  to: string;
  tz: string;
  services: ServiceUptime[];
  /** Thanos' warnings (e.g. a store that answered partially) and alertgate's own (values above 1, a shared bucket); empty when there were none. */
  warnings: string[];
}

/** RFC3339 in UTC, without milliseconds when they are zero (`2026-10-01T00:00:00Z`). */
export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
