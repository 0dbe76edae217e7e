/**
 * Messages never exceed Slack's limits: a 500-alert group and a 50 KB annotation are delivered to
 * a fake Slack that rejects over-limit messages as Slack does (msg_too_long, invalid_blocks,
 * msg_blocks_too_long).
 */
import { describe, expect, it } from 'vitest';
import { slackLimitError } from '../src/testing/slack-limits.js';
import type { Fakes, TestGateway } from './support/gateway.js';
import { withGatewayPerTest } from './support/gateway-hooks.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
withGatewayPerTest((started) => ({ fakes, t } = started));

describe('the fake Slack enforces Slack limits', () => {
  it('rejects what Slack rejects', () => {
    expect(slackLimitError('x'.repeat(40_001), undefined)?.error).toBe('msg_too_long');
    expect(slackLimitError('x', Array.from({ length: 51 }, () => ({ type: 'divider' })))?.error).toBe('invalid_blocks');
    expect(slackLimitError('x', [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }])?.error).toBe('invalid_blocks');
    expect(slackLimitError('x', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])?.error).toBe('invalid_blocks');
    expect(slackLimitError('x', [{ type: 'section', text: { type: 'mrkdwn', text: 'ok' } }])).toBeUndefined();
    // Text of all blocks together: 5 sections of 2,500 are each valid, 12,500 together are not.
    const section = (n: number) => ({ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(n) } });
    expect(slackLimitError('x', Array.from({ length: 5 }, () => section(2500)))).toEqual({ error: 'msg_blocks_too_long' });
    expect(slackLimitError('x', [...Array.from({ length: 4 }, () => section(2500)), { type: 'context', elements: [{ type: 'mrkdwn', text: 'c'.repeat(2000) }] }])).toBeUndefined();
    expect(slackLimitError('x', [section(2500), { type: 'section', fields: Array.from({ length: 5 }, () => ({ type: 'mrkdwn', text: 'f'.repeat(1901) })) }])).toEqual({
      error: 'msg_blocks_too_long',
    });
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

  it('posts, edits and resolves a group grown to 60 alerts with summaries of their own (within the text of all blocks together)', async () => {
    const key = '{}:{alertname="KubePodCrashLooping"}';
    const alerts = Array.from({ length: 60 }, (_, i) => ({
      labels: { alertname: 'KubePodCrashLooping', namespace: 'payments-prod', pod: `checkout-api-7d9f8b6c5-${i}`, severity: 'warning' },
      annotations: {
        summary: `Pod payments-prod/checkout-api-7d9f8b6c5-${i} (container app) is restarting 1.2 times per 10 minutes; it is in waiting state (reason: "CrashLoopBackOff") since the last deploy of checkout-api, see its logs.`,
      },
      fingerprint: `c${String(i).padStart(15, '0')}`,
    }));
    expect((await t.post(webhook(key, alerts.slice(0, 10)))).status).toBe(202);
    await t.idle();
    expect((await t.post(webhook(key, alerts))).status).toBe(202);
    await t.idle();
    expect((await t.post(webhook(key, alerts.map((a) => ({ ...a, status: 'resolved' as const }))))).status).toBe(202);
    await t.idle();

    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: unknown[] };
    expect(dead.items).toEqual([]);
    expect(fakes.slack.messages.size).toBe(1);
    const [message] = [...fakes.slack.messages.values()];
    expect(message!.edits).toBe(2);
    expect(message!.blocks?.[0]).toMatchObject({ type: 'header', text: { text: ':white_check_mark: RESOLVED: KubePodCrashLooping' } });
    expect(JSON.stringify(message!.blocks)).toContain('0 firing, 60 resolved');
    expect(message!.replies.map((r) => r.text)).toEqual([
      expect.stringContaining(':red_circle: 50 new alerts'),
      expect.stringContaining(':white_check_mark: RESOLVED: all alerts resolved'),
    ]);
    // Every call Slack was sent was accepted: none was refused and sent again smaller.
    expect(fakes.slack.requests.filter((r) => r.method === 'chat.update')).toHaveLength(2);
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
