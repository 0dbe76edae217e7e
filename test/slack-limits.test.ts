/**
 * Messages never exceed Slack's limits: a 500-alert group and a 50 KB annotation are delivered to
 * a fake Slack that rejects over-limit messages exactly as Slack does (msg_too_long, invalid_blocks).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackLimitError } from '../src/testing/slack-limits.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
beforeEach(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
});
afterEach(async () => {
  await t.close();
  await fakes.close();
});

describe('the fake Slack enforces Slack limits', () => {
  it('rejects what Slack rejects', () => {
    expect(slackLimitError('x'.repeat(40_001), undefined)?.error).toBe('msg_too_long');
    expect(slackLimitError('x', Array.from({ length: 51 }, () => ({ type: 'divider' })))?.error).toBe('invalid_blocks');
    expect(slackLimitError('x', [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }])?.error).toBe('invalid_blocks');
    expect(slackLimitError('x', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])?.error).toBe('invalid_blocks');
    expect(slackLimitError('x', [{ type: 'section', text: { type: 'mrkdwn', text: 'ok' } }])).toBeUndefined();
  });
});

describe('huge groups still produce valid Slack messages', () => {
  it('delivers a 500-alert group, then its partial resolution, within limits', async () => {
    const alerts = Array.from({ length: 500 }, (_, i) => ({
      labels: { alertname: 'KubePodNotReady', namespace: 'prisoner-offender-search-prod', pod: `search-${i}`, severity: 'warning' },
      annotations: { summary: `Pod search-${i} has been in a non-ready state for longer than 15 minutes.` },
      fingerprint: `f${String(i).padStart(15, '0')}`,
    }));
    expect((await t.post(webhook('{}:{alertname="KubePodNotReady"}', alerts))).status).toBe(202);
    await t.idle();
    const [message] = [...fakes.slack.messages.values()];
    expect(message).toBeDefined();
    expect(JSON.stringify(message!.blocks)).toMatch(/more/);

    const half = alerts.map((a, i) => (i < 250 ? { ...a, status: 'resolved' as const } : a));
    await t.post(webhook('{}:{alertname="KubePodNotReady"}', half));
    await t.idle();
    expect(message!.edits).toBe(1);
    expect(message!.replies).toHaveLength(1);
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: unknown[] };
    expect(dead.items).toEqual([]);
  });

  it('delivers an alert with a 50 KB annotation and 50 KB of labels', async () => {
    const big = 'lorem ipsum <dolor> & sit amet '.repeat(1700);
    const labels: Record<string, string> = { alertname: 'Verbose', namespace: 'payments-prod', severity: 'critical' };
    for (let i = 0; i < 25; i++) labels[`label_${i}`] = 'v'.repeat(2000);
    await t.post(webhook('{}:{alertname="Verbose"}', [{ labels, annotations: { description: big, summary: big } }]));
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
    const [message] = [...fakes.slack.messages.values()];
    expect(message!.text.length).toBeLessThanOrEqual(40_000);
    // PagerDuty got the page too, within its own limits (summary ≤ 1,024 characters).
    const trigger = fakes.pagerduty.events.find((e) => (e.body as { event_action: string }).event_action === 'trigger');
    expect((trigger?.body as { payload: { summary: string } }).payload.summary.length).toBeLessThanOrEqual(1024);
    expect(trigger?.status).toBe(202);
  });
});
