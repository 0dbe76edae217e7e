import { describe, expect, it } from 'vitest';
import { createLogSinkNotifier, LOG_SINK_MESSAGE } from './log-sink.js';
import { captureLogger, makeAlert, makeDelivery, makeSnapshot } from './notifier.case.js';

const slackTarget = { type: 'slack', channel: '#payments-alerts' } as const;

describe('log sink', () => {
  it('logs the chat.postMessage it would send and returns a synthetic message ref', async () => {
    const logs = captureLogger();
    const sink = createLogSinkNotifier('slack', logs.logger);
    const result = await sink.notify(makeDelivery(slackTarget, { id: 7 }));

    expect(result).toEqual({ ok: true, slackRef: { channel: '#payments-alerts', ts: 'log-7' } });
    expect(logs.lines).toHaveLength(1);
    const line = logs.lines[0];
    expect(line?.level).toBe('info');
    expect(line?.msg).toBe(LOG_SINK_MESSAGE);
    expect(line?.obj).toMatchObject({
      sink: 'log',
      receiver: 'slack',
      deliveryId: 7,
      team: 'payments',
      request: {
        method: 'POST',
        url: 'https://slack.com/api/chat.postMessage',
        path: '/api/chat.postMessage',
        body: { channel: '#payments-alerts', text: expect.stringContaining('FIRING: KubePodCrashLooping') },
      },
    });
    // One JSON line: serialisable and free of raw newlines once encoded.
    expect(JSON.stringify(line?.obj)).not.toMatch(/\n/);
  });

  it('logs the edit and the thread reply against the synthetic ref', async () => {
    const logs = captureLogger();
    const sink = createLogSinkNotifier('slack', logs.logger, { slackApiUrl: 'http://127.0.0.1:9/api' });
    const group = makeSnapshot({ alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })] });
    const ref = { channel: '#payments-alerts', ts: 'log-7' };
    const result = await sink.notify(makeDelivery(slackTarget, { id: 8, group, slackRef: ref }));

    expect(result).toEqual({ ok: true, slackRef: ref });
    const requests = logs.lines.map((l) => (l.obj as { request: { path: string; body: Record<string, unknown> } }).request);
    expect(requests.map((r) => r.path)).toEqual(['/api/chat.update', '/api/chat.postMessage']);
    expect(requests[0]?.body).toMatchObject({ channel: '#payments-alerts', ts: 'log-7' });
    expect(requests[1]?.body).toMatchObject({ thread_ts: 'log-7', text: expect.stringContaining('RESOLVED: all alerts resolved') });
  });

  it('logs the PagerDuty event with the routing key left out', async () => {
    const logs = captureLogger();
    const sink = createLogSinkNotifier('pagerduty', logs.logger);
    expect(await sink.notify(makeDelivery({ type: 'pagerduty', team: 'payments' }))).toEqual({ ok: true });
    expect(logs.lines[0]?.obj).toMatchObject({
      receiver: 'pagerduty',
      request: {
        method: 'POST',
        url: 'https://events.pagerduty.com/v2/enqueue',
        path: '/v2/enqueue',
        body: { routing_key: '[REDACTED]', event_action: 'trigger', dedup_key: 'alertgate-payments-0123456789abcdef' },
      },
    });
  });

  it('refuses a target of the other type', async () => {
    const logs = captureLogger();
    const sink = createLogSinkNotifier('pagerduty', logs.logger);
    expect(await sink.notify(makeDelivery(slackTarget))).toMatchObject({ ok: false, retryable: false });
    expect(logs.lines).toHaveLength(0);
  });
});
