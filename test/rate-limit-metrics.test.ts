/**
 * A Slack 429 is counted on /metrics of a real gateway, by team, receiver and what it holds
 * (alertgate_rate_limited_total): before, a rate-limited channel showed only as a failed attempt
 * like any other, and the hold it put on the channel's calls only in debug logs. On the delivery
 * thread (OUTBOX_THREAD) the count reaches the gateway's registry as its other delivery metrics do.
 */
import { describe, expect, it } from 'vitest';
import type { Fakes, TestGateway } from './support/gateway.js';
import { withFakesPerTest } from './support/gateway-hooks.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway | undefined;
const startGateway = withFakesPerTest((started) => (fakes = started));

const series = (scope: string) => `alertgate_rate_limited_total{team="prisons",receiver="slack",scope="${scope}"}`;

async function value(name: string): Promise<number | undefined> {
  const text = await fetch(`${t!.gw.url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe.each([
  ['on the gateway thread', {}],
  ['on the delivery thread', { OUTBOX_THREAD: 'true' }],
])('a Slack 429, %s', (_, env) => {
  it("counts it for the channel's team and scope, from 0", async () => {
    t = await startGateway(env);
    expect(await value(series('channel'))).toBe(0);
    expect(await value(series('workspace'))).toBe(0);

    fakes.slack.respondWith([{ status: 429, headers: { 'retry-after': '1' } }]);
    const accepted = await t.post(webhook('{}:{alertname="Throttled"}', [{ labels: { alertname: 'Throttled', namespace: 'prisoner-offender-search-prod' } }]));
    expect(accepted.status).toBe(202);
    // Posted after the Retry-After, at the second attempt.
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && fakes.slack.messages.size === 1, 10_000);
    await t.idle();

    expect(await value(series('channel'))).toBe(1);
    expect(await value(series('workspace'))).toBe(0);
  });
});
