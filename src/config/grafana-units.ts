/**
 * @module config/grafana-units
 * Whether a panel's `unit:` is one Grafana knows. Grafana shows a value in an unknown unit as the
 * unscaled number with the unit's text after it (valueFormats.ts `getValueFormat` falls back to
 * `toFixedUnit(id)`): `percent_unit` showed 0.97 percent_unit, `secs` 5400 secs, and nothing
 * said so.
 */
import { closestName } from './closest-name.js';
import { GRAFANA_CUSTOM_UNIT_KINDS, GRAFANA_UNIT_IDS } from './grafana-unit-ids.js';

const KNOWN: ReadonlySet<string> = new Set(GRAFANA_UNIT_IDS);

/** Words people write for a time unit, too far from its one-letter id for closestName. */
const SPELLED_OUT: ReadonlyMap<string, string> = new Map([
  ...['sec', 'secs', 'second', 'seconds'].map((w) => [w, 's'] as const),
  ...['msec', 'msecs', 'millis', 'millisecond', 'milliseconds'].map((w) => [w, 'ms'] as const),
  ...['min', 'mins', 'minute', 'minutes'].map((w) => [w, 'm'] as const),
  ...['hr', 'hrs', 'hour', 'hours'].map((w) => [w, 'h'] as const),
  ...['day', 'days'].map((w) => [w, 'd'] as const),
]);

/** Why Grafana would not understand `unit`, or undefined when it would. */
export function grafanaUnitProblem(unit: string): string | undefined {
  if (KNOWN.has(unit)) return undefined;
  const why = '(Grafana shows an unknown unit as text after the unscaled number; write a unit of your own as suffix:<text>)';
  const colon = unit.indexOf(':');
  if (colon > 0) {
    if (GRAFANA_CUSTOM_UNIT_KINDS.includes(unit.slice(0, colon))) return undefined;
    const kinds = GRAFANA_CUSTOM_UNIT_KINDS.map((k) => `${k}:`);
    return `unknown Grafana unit ${JSON.stringify(unit)}: Grafana's custom units are ${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)} ${why}`;
  }
  const suggestion = SPELLED_OUT.get(unit.toLowerCase()) ?? closestName(unit, GRAFANA_UNIT_IDS);
  return `unknown Grafana unit ${JSON.stringify(unit)}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''} ${why}`;
}
