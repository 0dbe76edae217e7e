/**
 * @module route/resolve-targets
 * Which of a team's routes an alert matches, and where its notifications go.
 *
 * Routes are tried in order; the first matching route wins, unless it says `continue: true`, in
 * which case later routes are tried too (Alertmanager semantics). A route matches when every one
 * of its matcher strings matches; a route without matchers is a catch-all. Targets of all matched
 * routes are merged, duplicates removed, first occurrence kept (stable order).
 *
 * No alert is ever dropped — when no route matches (or the team has no routes, or the matched
 * routes yield no target) the alert goes to the team's default, the first that exists of:
 *   1. the team's Slack channel;
 *   2. the team's PagerDuty service;
 *   3. the fallback team's Slack channel;
 *   4. the fallback team's PagerDuty service.
 * Validation guarantees the fallback team has one of the last two, so the list is never empty for
 * a valid config.
 *
 * @example
 * resolveRoutes({ severity: 'critical' }, config.teams.get('payments')!, config);
 * // → { team: 'payments', routes: [{ index: 0, matchers: ['severity="critical"'] }],
 * //     targets: [{ type: 'pagerduty', team: 'payments', keySource: { routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' } }, { type: 'slack', channel: '#payments-alerts' }] }
 */
import type { Labels } from '../model/alert.js';
import { targetKey, type Target } from '../model/target.js';
import type { RouteConfig, RoutingConfig, TeamConfig } from '../config/types.js';

export interface MatchedRoute {
  /** 0-based position in the team's `routes:` list. */
  index: number;
  /** The route's matcher strings as written in the config. */
  matchers: string[];
}

export interface RouteResolution {
  team: string;
  /** Matched routes, in order; empty when the team default was used. */
  routes: MatchedRoute[];
  targets: Target[];
}

function routeMatches(route: RouteConfig, labels: Labels): boolean {
  for (const set of route.matchers) if (!set.matches(labels)) return false;
  return true;
}

/** The team's PagerDuty service, with where its key is read now (model/target.ts says why). */
function pagerDutyTarget(team: TeamConfig): Target | undefined {
  return team.pagerduty ? { type: 'pagerduty', team: team.team, keySource: { ...team.pagerduty } } : undefined;
}

function routeTargets(route: RouteConfig, team: TeamConfig): Target[] {
  const targets: Target[] = [];
  for (const receiver of route.receivers) {
    if (receiver === 'slack') {
      const channel = route.slackChannel ?? team.slack?.channel;
      if (channel) targets.push({ type: 'slack', channel });
    } else {
      const pagerDuty = pagerDutyTarget(team);
      if (pagerDuty) targets.push(pagerDuty);
    }
  }
  return targets;
}

function defaultTarget(team: TeamConfig | undefined): Target | undefined {
  if (team?.slack) return { type: 'slack', channel: team.slack.channel };
  return team && pagerDutyTarget(team);
}

/** See the module comment for the default rule. */
export function defaultTargets(team: TeamConfig, config: RoutingConfig): Target[] {
  const target = defaultTarget(team) ?? defaultTarget(config.teams.get(config.fallbackTeam));
  return target ? [target] : [];
}

/** A target with its key (model/target.ts). */
interface KeyedTarget {
  key: string;
  target: Target;
}

/** A team's targets by route (duplicates removed) and its default targets, keyed once per config. */
interface TeamTargets {
  byRoute: KeyedTarget[][];
  defaults: KeyedTarget[];
}

/** Each target with its key, duplicates (by key) removed, in order. */
function keyed(targets: Target[]): KeyedTarget[] {
  const byKey = new Map<string, Target>();
  for (const target of targets) {
    const key = targetKey(target);
    if (!byKey.has(key)) byKey.set(key, target);
  }
  return [...byKey].map(([key, target]) => ({ key, target }));
}

function teamTargetsOf(team: TeamConfig, config: RoutingConfig): TeamTargets {
  return { byRoute: team.routes.map((route) => keyed(routeTargets(route, team))), defaults: keyed(defaultTargets(team, config)) };
}

/** Per config object (a reload makes a new one), per team name. */
const teamTargetsCache = new WeakMap<RoutingConfig, Map<string, TeamTargets>>();

/**
 * The team's targets, built once per config and team: `team` must be `config`'s own entry for
 * its name (as `config.teams.get(name)` gives it).
 */
function teamTargets(team: TeamConfig, config: RoutingConfig): TeamTargets {
  let byTeam = teamTargetsCache.get(config);
  if (!byTeam) teamTargetsCache.set(config, (byTeam = new Map()));
  let targets = byTeam.get(team.team);
  if (!targets) byTeam.set(team.team, (targets = teamTargetsOf(team, config)));
  return targets;
}

/**
 * Adds the targets of the routes `labels` match to `into` (key → target, first occurrence
 * kept), trying routes in order while `continue` allows; calls `matched` with each matched
 * route. Answers whether any matched route gave a target (if none did, the team default applies).
 */
function addMatched(labels: Labels, team: TeamConfig, targets: TeamTargets, into: Map<string, Target>, matched?: (route: RouteConfig) => void): boolean {
  let any = false;
  for (let i = 0; i < team.routes.length; i++) {
    const route = team.routes[i]!;
    if (!routeMatches(route, labels)) continue;
    matched?.(route);
    for (const { key, target } of targets.byRoute[i]!) {
      any = true;
      if (!into.has(key)) into.set(key, target);
    }
    if (!route.continue) break;
  }
  return any;
}

/** `team` must be `config`'s own entry for its name (see `teamTargets`). */
export function resolveRoutes(labels: Labels, team: TeamConfig, config: RoutingConfig): RouteResolution {
  const targets = teamTargets(team, config);
  const routes: MatchedRoute[] = [];
  const resolved = new Map<string, Target>();
  const any = addMatched(labels, team, targets, resolved, (route) => routes.push({ index: route.index, matchers: route.matchers.map((m) => m.source) }));
  if (!any) return { team: team.team, routes: [], targets: targets.defaults.map((t) => t.target) };
  return { team: team.team, routes, targets: [...resolved.values()] };
}

/**
 * Adds the targets `resolveRoutes(labels, team, config)` gives to `into` (key → target, first
 * occurrence kept). This runs for every alert of every webhook and needs neither the matched
 * routes' details nor new target objects and keys, which were a tenth of what a 10-alert
 * webhook allocated on the event loop. `team` as for `resolveRoutes`.
 */
export function addRouteTargets(labels: Labels, team: TeamConfig, config: RoutingConfig, into: Map<string, Target>): void {
  const targets = teamTargets(team, config);
  if (addMatched(labels, team, targets, into)) return;
  for (const { key, target } of targets.defaults) if (!into.has(key)) into.set(key, target);
}
