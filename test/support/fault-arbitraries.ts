/**
 * fast-check generators of hostile input for the property suites: strings an attacker or a
 * broken exporter can put into alert labels and annotations, Alertmanager webhook bodies (valid,
 * mutated, and raw JSON text no serializer would write), and the size extremes.
 */
import fc from 'fast-check';

/** Slack control sequences and other known trouble makers, mixed into generated text. */
export const TROUBLE = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U024BE7LH>',
  '<#C024BE7LH|general>',
  '<https://evil.example|click here>',
  '<http://evil.example>',
  '<mailto:a@evil.example|mail>',
  '<!subteam^S012345>',
  '&lt;!channel&gt;',
  '&amp;',
  '\u0000',
  '\u001b[31m',
  '\u202e',
  '\ufeff',
  '\ud800',
  '😀',
  '__proto__',
  'constructor',
  '{{window}}',
  '%s%n',
  '\\',
  '"',
  '*bold* _it_ ~s~ `code`',
] as const;

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));

/** Short hostile text: unicode (lone surrogates included), control characters, Slack markup. */
export function hostileText(maxLength = 30): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: controlChar, maxLength }) },
    { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...TROUBLE), fc.string({ maxLength: 8 })), { maxLength: 6 }).map((p) => p.join('')) },
  );
}

const MEGABYTE = 1024 * 1024;
/** About 1 MB of UTF-8: ASCII, 4-byte emoji, Slack markup, or NULs (built once: they are big). */
const BIG_TEXTS = ['x'.repeat(MEGABYTE), '😀'.repeat(MEGABYTE / 4), '<!channel>&'.repeat(Math.floor(MEGABYTE / 11)), 'a\u0000'.repeat(MEGABYTE / 2)];
export const bigText: fc.Arbitrary<string> = fc.constantFrom(...BIG_TEXTS);

const smallLabelMap = (minKeys: number) => fc.dictionary(hostileText(20), hostileText(40), { minKeys, maxKeys: 8 });
const hugeLabelMap = fc.integer({ min: 1000, max: 5000 }).map((n) => {
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) out[`label_${i}`] = `value ${i} <!here>`;
  return out;
});

/** Label maps: usually small, sometimes huge (thousands of labels), sometimes holding a 1 MB value. */
export function labelMap(opts: { minKeys?: number; big?: boolean } = {}): fc.Arbitrary<Record<string, string>> {
  const small = smallLabelMap(opts.minKeys ?? 0);
  if (!opts.big) return small;
  const oneMegabyte = fc.tuple(small, bigText).map(([m, v]) => ({ ...m, alertname: 'Big', huge: v }));
  return fc.oneof({ weight: 40, arbitrary: small }, { weight: 1, arbitrary: hugeLabelMap }, { weight: 1, arbitrary: oneMegabyte });
}

const isoDate = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const timestamp = fc.oneof(
  { weight: 5, arbitrary: isoDate },
  { weight: 1, arbitrary: fc.constantFrom('0001-01-01T00:00:00Z', '2026-11-20T09:00:00+01:00', '2026-11-20', '275760-09-13T00:00:00Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', 'yesterday', '', '1') },
);

/** One alert in Alertmanager's v4 shape; fields vary but the shape is valid. */
export function webhookAlert(big: boolean): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      status: fc.constantFrom('firing', 'resolved'),
      labels: labelMap({ minKeys: 1, big }),
      annotations: labelMap({ big }),
      startsAt: isoDate,
      endsAt: timestamp,
      generatorURL: fc.oneof(fc.webUrl(), hostileText(), fc.constantFrom('javascript:alert(1)', 'http://x/|<!channel>', `https://x/${'a'.repeat(5000)}`)),
      fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), hostileText(20)),
    },
    { requiredKeys: ['status', 'labels', 'startsAt'] },
  );
}

const smallAlert = webhookAlert(false);
const bigAlert = webhookAlert(true);

function webhookOf(alert: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      version: fc.constant('4'),
      groupKey: fc.oneof(hostileText(60).filter((s) => s.length > 0), fc.constant('{}:{alertname="X"}')),
      status: fc.constantFrom('firing', 'resolved'),
      receiver: hostileText(),
      groupLabels: labelMap(),
      commonLabels: labelMap(),
      commonAnnotations: labelMap(),
      externalURL: fc.oneof(fc.webUrl(), hostileText()),
      truncatedAlerts: fc.nat(100),
      alerts: fc.oneof(
        { weight: 20, arbitrary: fc.array(alert, { minLength: 1, maxLength: 4 }) },
        // Many alerts of one group (a node going down takes hundreds of pods with it).
        // (One generated alert copied with distinct instances: generating 300 would dominate the run.)
        {
          weight: 1,
          arbitrary: fc
            .tuple(smallAlert, fc.integer({ min: 100, max: 300 }))
            .map(([a, n]) => Array.from({ length: n }, (_, i) => ({ ...a, labels: { ...(a.labels as object), instance: `i${i}` } }))),
        },
      ),
    },
    { requiredKeys: ['groupKey', 'status', 'alerts'] },
  );
}

const VALID_WEBHOOK = fc.oneof({ weight: 4, arbitrary: webhookOf(smallAlert) }, { weight: 1, arbitrary: webhookOf(bigAlert) });

/** A structurally valid Alertmanager webhook body (what a correct sender posts), hostile in content. */
export function validWebhook(): fc.Arbitrary<Record<string, unknown>> {
  return VALID_WEBHOOK;
}

type Mutation = (body: Record<string, unknown>) => unknown;

const TOP_KEYS = ['version', 'groupKey', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'truncatedAlerts', 'alerts'];
const ALERT_KEYS = ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'];

const firstAlert = (b: Record<string, unknown>): Record<string, unknown> | undefined =>
  Array.isArray(b.alerts) && typeof b.alerts[0] === 'object' && b.alerts[0] !== null ? (b.alerts[0] as Record<string, unknown>) : undefined;

/** One change that usually makes a valid body invalid: missing fields, wrong types, numbers as strings. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...TOP_KEYS).map((k): Mutation => (b) => (delete b[k], b)),
  fc.constantFrom(...ALERT_KEYS).map((k): Mutation => (b) => (firstAlert(b) && delete firstAlert(b)![k], b)),
  fc.tuple(fc.constantFrom(...TOP_KEYS), fc.anything()).map(([k, v]): Mutation => (b) => ({ ...b, [k]: v })),
  fc.tuple(fc.constantFrom(...ALERT_KEYS), fc.anything()).map(([k, v]): Mutation => (b) => {
    const a = firstAlert(b);
    if (a) a[k] = v;
    return b;
  }),
  // Numbers where strings belong and strings where numbers belong.
  fc.constant<Mutation>((b) => ({ ...b, truncatedAlerts: String(b.truncatedAlerts ?? 3) })),
  fc.constant<Mutation>((b) => ({ ...b, truncatedAlerts: -1 })),
  fc.constant<Mutation>((b) => ({ ...b, truncatedAlerts: 1.5 })),
  fc.constant<Mutation>((b) => {
    const a = firstAlert(b);
    if (a) a.labels = { alertname: 42, severity: true };
    return b;
  }),
  fc.constant<Mutation>((b) => ({ ...b, status: 1 })),
  fc.constant<Mutation>((b) => ({ ...b, alerts: [] })),
  fc.constant<Mutation>((b) => ({ ...b, alerts: {} })),
  fc.constant<Mutation>((b) => ({ ...b, alerts: [null, 1, 'x'] })),
  fc.constant<Mutation>((b) => [b]),
  fc.constant<Mutation>(() => null),
);

/** A valid body with one mutation applied (cloned first: fast-check reuses values when shrinking). */
export function mutatedWebhook(): fc.Arbitrary<unknown> {
  return fc.tuple(validWebhook(), mutation).map(([body, m]) => m(structuredClone(body)));
}

/** Deeply nested JSON text, as a whole body or in a field the schema checks. */
const deepNesting: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 100, max: 200_000 }), fc.constantFrom('array', 'object', 'labels', 'extra')).map(([n, where]) => {
  // Built only when used: up to 1.4 MB each, and a body holds one of them.
  const arrays = () => `${'['.repeat(n)}${']'.repeat(n)}`;
  const objects = () => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const alert = (labels: string) => `{"status":"firing","labels":${labels},"startsAt":"2026-11-20T09:00:00Z"}`;
  switch (where) {
    case 'array':
      return arrays();
    case 'object':
      return objects();
    case 'labels':
      return `{"groupKey":"g","status":"firing","alerts":[${alert(objects())}]}`;
    default:
      // Unknown fields are tolerated by the schema: deep nesting there must not hurt either.
      return `{"groupKey":"g","status":"firing","extra":${arrays()},"alerts":[${alert('{"alertname":"Deep"}')}]}`;
  }
});

/** JSON text with duplicated keys (JSON.parse keeps the last): a valid body with a key repeated. */
const duplicatedKeys: fc.Arbitrary<string> = fc.tuple(validWebhook(), fc.constantFrom(...TOP_KEYS), fc.jsonValue(), fc.boolean()).map(([body, key, value, first]) => {
  const text = JSON.stringify(body);
  const extra = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`;
  return first ? `{${extra},${text.slice(1)}` : `${text.slice(0, -1)},${extra}}`;
});

/** Raw request bodies: duplicated keys, deep nesting, truncated JSON, random JSON, garbage bytes. */
export function rawBody(): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 3, arbitrary: duplicatedKeys },
    { weight: 1, arbitrary: deepNesting },
    { weight: 2, arbitrary: fc.tuple(validWebhook(), fc.nat()).map(([b, n]) => { const t = JSON.stringify(b); return t.slice(0, n % (t.length + 1)); }) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? '') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: validWebhook().map((b) => `\ufeff${JSON.stringify(b)}`) },
    { weight: 1, arbitrary: validWebhook().map((b) => JSON.stringify(b).replace(/"groupKey":/, '"groupKey" : \u0000')) },
  );
}

/** Every kind of body the webhook suite posts, with the share of each. */
export function anyWebhookBody(): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 35, arbitrary: validWebhook().map((b) => JSON.stringify(b)) },
    { weight: 35, arbitrary: mutatedWebhook().map((b) => JSON.stringify(b) ?? 'undefined') },
    { weight: 30, arbitrary: rawBody() },
  );
}
