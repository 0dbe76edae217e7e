/**
 * @module config/types
 * The typed, validated model of `routes/*.yaml` (the spec lives in config/routes-schema.ts).
 * The pipeline depends only on these types, never on YAML.
 */
import type { Labels } from '../model/alert.js';
import type { PagerDutyKeySource, ReceiverType } from '../model/target.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** A parsed matcher string: every matcher must match (Alertmanager semantics). */
export interface MatcherSet {
  source: string;
  matchers: Matcher[];
  matches(labels: Labels): boolean;
}

export interface RouteConfig {
  /** 0-based position in the team's `routes:` list. */
  index: number;
  matchers: MatcherSet[];
  receivers: ReceiverType[];
  /** Per-route Slack channel override. */
  slackChannel?: string;
  continue: boolean;
}

/** A team's `pagerduty:` block. */
export type PagerDutyConfig = PagerDutyKeySource;

export interface ReportConfig {
  schedule: string;
  period: string;
  channel?: string;
  timezone?: string;
}

export interface MaintenanceConfig {
  reason: string;
  schedule?: string;
  duration?: string;
  start?: string;
  end?: string;
  timezone?: string;
  matchers: MatcherSet[];
}

export interface TeamConfig {
  team: string;
  /** Path of the routes file, for error messages. */
  file: string;
  owns: { namespaces: string[]; matchers: MatcherSet[] };
  slack?: { channel: string };
  pagerduty?: PagerDutyConfig;
  dedup: { windowMs: number };
  routes: RouteConfig[];
  reports: ReportConfig[];
  /** Storm digests; PagerDuty pages of digested groups are held back only with holdPagerDuty. */
  storm?: { maxMessagesPerMinute: number; holdPagerDuty: boolean };
  maintenance: MaintenanceConfig[];
}

export interface RoutingConfig {
  teams: Map<string, TeamConfig>;
  fallbackTeam: string;
}
