/**
 * An alert label (or annotation) named `__proto__`: a valid Prometheus label name that
 * `label_replace` or a client of Alertmanager's API can set, and a key that a plain object
 * assignment turns into its prototype instead of a property. It must reach the store, the API,
 * Slack and PagerDuty like any other label, and count in the fingerprint computed for a payload
 * without one; a value that is not text is refused like any other label's.
 */
import { describe, expect, it } from 'vitest';
import type { Fakes, TestGateway } from './support/gateway.js';
import { withGatewayPerFile } from './support/gateway-hooks.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
withGatewayPerFile((started) => ({ fakes, t } = started));

/** The webhook as JSON text with `__proto__` keys (JSON.stringify of an object literal would have none). */
function withProto(alertname: string, protoValues: string[], opts: { fingerprints?: boolean } = {}): string {
  const body = webhook(
    `{}:{alertname="${alertname}"}`,
    protoValues.map((v, i) => ({
      labels: { alertname, namespace: 'payments-prod', severity: 'critical', PROTO: v },
      annotations: { summary: `${alertname} summary`, PROTO: `note ${v}` },
      ...(opts.fingerprints && { fingerprint: `${(0xa11ce0 + i).toString(16)}0000000000` }),
    })),
    { commonLabels: { alertname, PROTO: protoValues[0] } },
  );
  return JSON.stringify(body).replaceAll('"PROTO"', '"__proto__"');
}

type ListedAlert = { fingerprint: string; labels: Record<string, string>; annotations: Record<string, string> };

async function listed(alertname: string): Promise<ListedAlert[]> {
  const page = (await fetch(`${t.gw.url}/v1/alerts?team=payments&limit=1000`).then((r) => r.json())) as { items: ListedAlert[] };
  return page.items.filter((a) => a.labels.alertname === alertname);
}

describe('an alert label named __proto__', () => {
  it('is kept through ingest, the store and the API, and shown in Slack and sent to PagerDuty', async () => {
    const res = await t.post(undefined, { raw: withProto('ProtoKept', ['evil'], { fingerprints: true }) });
    expect(res.status).toBe(202);
    const [a] = await listed('ProtoKept');
    expect(a && Object.hasOwn(a.labels, '__proto__') ? a.labels['__proto__'] : 'missing').toBe('evil');
    expect(a && Object.hasOwn(a.annotations, '__proto__') ? a.annotations['__proto__'] : 'missing').toBe('note evil');

    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes('ProtoKept'));
    // Among the labels shown, and in the silence link's matchers (from commonLabels).
    expect(JSON.stringify(post.body)).toContain('`__proto__=evil`');
    expect(JSON.stringify(post.body)).toContain('__proto__%3D%22evil%22');
    const event = await fakes.pagerduty.waitFor((e) => JSON.stringify(e.body).includes('ProtoKept'));
    expect(JSON.stringify(event.body)).toContain('"__proto__":"evil"');
  });

  it('tells apart two alerts that differ only in it, when the payload has no fingerprints', async () => {
    const res = await t.post(undefined, { raw: withProto('ProtoTwo', ['a', 'b']) });
    expect(res.status).toBe(202);
    const alerts = await listed('ProtoTwo');
    expect(alerts.map((a) => (Object.hasOwn(a.labels, '__proto__') ? a.labels['__proto__'] : 'missing')).sort()).toEqual(['a', 'b']);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(2);
  });

  it('400 when its value is not text, as for any other label, with the path of the problem', async () => {
    const raw = withProto('ProtoObject', ['x']).replace('"__proto__":"x"', '"__proto__":{"team":"platform"}');
    const res = await t.post(undefined, { raw });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(['alerts.0.labels.__proto__']);
    expect(await listed('ProtoObject')).toEqual([]);
  });
});
