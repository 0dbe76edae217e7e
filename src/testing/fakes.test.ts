import { afterEach, describe, expect, it } from 'vitest';
import { startFakePagerDuty, type FakePagerDuty } from './fake-pagerduty.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';

describe('fake Slack', () => {
  let slack: FakeSlack;
  afterEach(async () => {
    await slack.close();
  });

  it('parses form and JSON bodies alike and keeps a stable id per channel', async () => {
    slack = await startFakeSlack();
    const form = new URLSearchParams({ channel: '#ops', text: 'a', blocks: JSON.stringify([{ type: 'divider' }]) });
    const r1 = await fetch(`${slack.url}chat.postMessage`, { method: 'POST', body: form });
    const r2 = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'ops', text: 'b' }),
    });
    const a = (await r1.json()) as { channel: string; ts: string };
    const b = (await r2.json()) as { channel: string; ts: string };
    expect(a.channel).toBe(b.channel);
    expect(a.ts).not.toBe(b.ts);
    expect(slack.channelIds.get('ops')).toBe(a.channel);
    expect(slack.requests[0]?.body).toEqual({ channel: '#ops', text: 'a', blocks: [{ type: 'divider' }] });
    expect(slack.requests[1]?.body).toEqual({ channel: 'ops', text: 'b' });
  });

  it('waitFor resolves on a later request and rejects with what it saw on timeout', async () => {
    slack = await startFakeSlack();
    const waiting = slack.waitFor((r) => r.method === 'chat.update');
    await fetch(`${slack.url}chat.postMessage`, { method: 'POST', body: new URLSearchParams({ channel: 'x', text: 't' }) });
    await fetch(`${slack.url}chat.update`, { method: 'POST', body: new URLSearchParams({ channel: 'x', ts: '1', text: 't' }) });
    expect((await waiting).method).toBe('chat.update');
    await expect(slack.waitFor((r) => r.method === 'chat.delete', 50)).rejects.toThrow(/chat\.postMessage, chat\.update/);
  });

  it('resets connections while down', async () => {
    slack = await startFakeSlack();
    slack.setDown(true);
    await expect(fetch(`${slack.url}chat.postMessage`, { method: 'POST', body: 'channel=x' })).rejects.toThrow();
    slack.setDown(false);
    expect((await fetch(`${slack.url}chat.postMessage`, { method: 'POST', body: 'channel=x' })).status).toBe(200);
  });
});

describe('fake PagerDuty', () => {
  let pd: FakePagerDuty;
  afterEach(async () => {
    await pd.close();
  });

  const post = (body: unknown): Promise<Response> =>
    fetch(`${pd.url}/v2/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('validates events the way PagerDuty does', async () => {
    pd = await startFakePagerDuty();
    const bad = await post({ routing_key: 'k', event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'loud' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: ["'payload.severity' must be one of critical, error, warning, info"] });
    const noKey = await post({ event_action: 'resolve', dedup_key: 'd' });
    expect(noKey.status).toBe(400);
    const ok = await post({ routing_key: 'k', event_action: 'trigger', dedup_key: 'd', payload: { summary: 's', source: 'x', severity: 'info' } });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'd' });
    expect(pd.events.map((e) => e.status)).toEqual([400, 400, 202]);
    expect(pd.incidents.get('d')?.status).toBe('triggered');
  });

  it('plays scripted answers in order, then behaves normally', async () => {
    pd = await startFakePagerDuty();
    pd.respondWith([{ status: 500 }, { status: 429, headers: { 'retry-after': '1' } }]);
    const event = { routing_key: 'k', event_action: 'resolve', dedup_key: 'd' };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(event)).status);
    expect(statuses).toEqual([500, 429, 202]);
  });
});
