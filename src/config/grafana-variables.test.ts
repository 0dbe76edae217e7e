import { describe, expect, it } from 'vitest';
import { substituteGrafanaGlobals, unknownVariableMessage } from './grafana-variables.js';
import { findPromqlError } from './promql.js';

describe("Grafana's global variables in panel queries", () => {
  it('are replaced by stand-ins of their kind, and offsets map back past them', () => {
    const expr = 'rate(x[$__rate_interval]) * ${__range_s} / ${__interval:text} + $bad';
    const sub = substituteGrafanaGlobals(expr);
    expect(sub.text).toBe('rate(x[5m]) * 300 / 5m + $bad');
    expect(sub.toOriginal(sub.text.indexOf('$bad'))).toBe(expr.indexOf('$bad'));
    expect(sub.toOriginal(sub.text.indexOf('300'))).toBe(expr.indexOf('${__range_s}'));
  });

  it('leave valid panel queries valid, and name a variable no generated dashboard defines', () => {
    expect(findPromqlError(substituteGrafanaGlobals('sum(rate(http_requests_total{pod=~"$pod"}[$__rate_interval]))').text)).toBeUndefined();
    const text = substituteGrafanaGlobals('count(up) / $replicas').text;
    const err = findPromqlError(text);
    expect(err).toBeDefined();
    expect(unknownVariableMessage(text, err!.offset)).toMatch(/^unknown Grafana variable "\$replicas"/);
    expect(unknownVariableMessage('sum(x) +', 6)).toBeUndefined();
  });
});
