/**
 * @module config/route-severities
 * A route matcher on a severity that is a slip of one of alertgate's severities
 * (`severity="crtical"`, `severity=~"Warning|info"`): Alertmanager's matchers compare exactly, so
 * the route never sees the alerts it was written for, and a team's critical alerts fall through
 * to a route that does not page. A warning, and only for a value close to a known severity:
 * alerts of other rules (kube-prometheus' `severity="none"`) may carry any value.
 */
import { closestName } from './closest-name.js';
import { parseMatchers } from './matchers.js';
import { DEFAULT_SEVERITIES } from './rules-schema.js';

/** Severity values `source` (one matcher string) tests for that are near misses: each with the severity meant. */
export function misspelledSeverities(source: string, env: NodeJS.ProcessEnv): { value: string; meant: string; severities: string[] }[] {
  const configured = (env['ALERTGATE_SEVERITIES'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const severities = configured.length > 0 ? configured : [...DEFAULT_SEVERITIES];
  let matchers;
  try {
    matchers = parseMatchers(source).matchers;
  } catch {
    return []; // the schema reports a matcher that does not parse
  }
  const values = matchers
    .filter((m) => m.name === 'severity' && (m.op === '=' || m.op === '=~'))
    // A regex is looked into only when it is a plain alternation of names.
    .flatMap((m) => (m.op === '=' ? [m.value] : /^[\w-]+(\|[\w-]+)*$/.test(m.value) ? m.value.split('|') : []));
  return values.flatMap((value) => {
    if (severities.includes(value)) return [];
    const meant = closestName(value, severities);
    if (meant === undefined || !isSlip(value, meant)) return [];
    return [{ value, meant, severities }];
  });
}

/**
 * One edit away is a slip only in a word long enough: among short severities (P1, P2, P3; S1…)
 * one edit makes another severity (P4), not a misspelling; those differ only by case (p1).
 */
function isSlip(value: string, meant: string): boolean {
  return value.length > 3 || value.toLowerCase() === meant.toLowerCase();
}
