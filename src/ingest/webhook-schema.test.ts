import { describe, expect, it } from 'vitest';
import { fastParseWebhook } from './fast-parse.js';
import { labelsFingerprint } from './fingerprint.js';
import { normalizeWebhook } from './normalize.js';
import { webhookSchema } from './webhook-schema.js';

/** A webhook body as JSON.parse makes it: "__proto__" in the text becomes an own key. */
function body(labels: string, annotations = '{}'): unknown {
  return JSON.parse(
    `{"groupKey":"g","status":"firing","groupLabels":${labels},"commonLabels":${labels},"commonAnnotations":${annotations},` +
      `"alerts":[{"status":"firing","labels":${labels},"annotations":${annotations},"startsAt":"2026-11-20T09:00:00Z"}]}`,
  );
}

const own = (map: Record<string, string>) => (Object.hasOwn(map, '__proto__') ? map['__proto__'] : 'missing');

describe('webhook schema: label maps with a key named __proto__', () => {
  it('keeps it as an own label, in its place, without touching the prototype', () => {
    const json = body('{"alertname":"A","__proto__":"evil","pod":"p-1"}', '{"__proto__":"note"}');
    const parsed = webhookSchema.parse(json);
    const [alert] = parsed.alerts;
    for (const map of [alert!.labels, parsed.groupLabels, parsed.commonLabels]) {
      expect(Object.keys(map)).toEqual(['alertname', '__proto__', 'pod']);
      expect(own(map)).toBe('evil');
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    }
    expect([own(alert!.annotations), own(parsed.commonAnnotations)]).toEqual(['note', 'note']);
    // Maps without it are the record's output, unchanged.
    expect(webhookSchema.parse(body('{"alertname":"A"}')).alerts[0]!.labels).toEqual({ alertname: 'A' });
  });

  it('counts it in the fingerprint computed for an alert without one, as Alertmanager does', () => {
    const labels = '{"alertname":"A","__proto__":"evil"}';
    const { alerts } = normalizeWebhook(webhookSchema.parse(body(labels)));
    expect(alerts[0]!.fingerprint).toBe(labelsFingerprint(JSON.parse(labels) as Record<string, string>));
    expect(alerts[0]!.fingerprint).not.toBe(labelsFingerprint({ alertname: 'A' }));
  });

  it('refuses a value that is not text with the message and path any other label gets, with the other keys\' errors', () => {
    const result = webhookSchema.safeParse(body('{"alertname":"A","pod":1,"__proto__":{"team":"platform"}}'));
    expect(result.success).toBe(false);
    const issues = result.error!.issues.filter((i) => i.path[1] === 0);
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['alerts.0.labels.pod', 'Invalid input: expected string, received number'],
      ['alerts.0.labels.__proto__', 'Invalid input: expected string, received object'],
    ]);
    expect(webhookSchema.safeParse(body('{"alertname":"A","__proto__":null}')).error?.issues[0]?.path).toEqual(['groupLabels', '__proto__']);
    expect(webhookSchema.safeParse(body('"labels"')).error?.issues[0]).toMatchObject({ path: ['groupLabels'], code: 'invalid_type' });
  });

  it('is left to the schema by the fast path, which stays as it was for every other body', () => {
    expect(fastParseWebhook(body('{"alertname":"A","__proto__":"evil"}'))).toBeUndefined();
    expect(fastParseWebhook(body('{"alertname":"A"}'))).toEqual(webhookSchema.parse(body('{"alertname":"A"}')));
  });
});
