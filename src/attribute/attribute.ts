/**
 * @module attribute/attribute
 * Which team owns an alert. The order is the contract's, first hit wins:
 * 1. a `team` label naming a configured team;
 * 2. the `namespace` label, when a team lists it in `owns.namespaces` (one owner per namespace,
 *    validation guarantees it);
 * 3. the first team, in team-name order, with an `owns.matchers` string that matches;
 * 4. the fallback team (`FALLBACK_TEAM`), so no alert is ever without an owner.
 *
 * This runs for every alert, so `createAttributor` indexes namespaces once per config.
 *
 * @example
 * const attributeAlert = createAttributor(config);
 * attributeAlert({ namespace: 'payments-prod', alertname: 'KubePodCrashLooping' });
 * // → { team: 'payments', attributedBy: 'namespace' }
 */
import type { Labels } from '../model/alert.js';
import type { MatcherSet, RoutingConfig } from '../config/types.js';

export type AttributedBy = 'team-label' | 'namespace' | 'matchers' | 'fallback';

export interface Attribution {
  team: string;
  attributedBy: AttributedBy;
}

export type Attributor = (labels: Labels) => Attribution;

function label(labels: Labels, name: string): string | undefined {
  return Object.hasOwn(labels, name) ? labels[name] : undefined;
}

export function createAttributor(config: RoutingConfig): Attributor {
  const namespaceOwner = new Map<string, string>();
  const byMatchers: { team: string; matchers: MatcherSet[] }[] = [];
  const names = [...config.teams.keys()].sort();
  for (const name of names) {
    const team = config.teams.get(name)!;
    for (const ns of team.owns.namespaces) if (!namespaceOwner.has(ns)) namespaceOwner.set(ns, name);
    if (team.owns.matchers.length > 0) byMatchers.push({ team: name, matchers: team.owns.matchers });
  }

  return (labels) => {
    const teamLabel = label(labels, 'team');
    if (teamLabel !== undefined && config.teams.has(teamLabel)) return { team: teamLabel, attributedBy: 'team-label' };
    const ns = label(labels, 'namespace');
    const owner = ns === undefined ? undefined : namespaceOwner.get(ns);
    if (owner !== undefined) return { team: owner, attributedBy: 'namespace' };
    for (const { team, matchers } of byMatchers) {
      if (matchers.some((m) => m.matches(labels))) return { team, attributedBy: 'matchers' };
    }
    return { team: config.fallbackTeam, attributedBy: 'fallback' };
  };
}

const cache = new WeakMap<RoutingConfig, Attributor>();

/** Attribution with the index cached per config object (a reload makes a new config). */
export function attribute(labels: Labels, config: RoutingConfig): Attribution {
  let attributor = cache.get(config);
  if (!attributor) {
    attributor = createAttributor(config);
    cache.set(config, attributor);
  }
  return attributor(labels);
}
