import { describe, expect, it } from 'vitest';
import { makeAlert, makeSnapshot } from '../notifier.case.js';
import { buildPagerDutyEvent, eventSummary, mapSeverity, PAGERDUTY_LIMITS, type TriggerEvent } from './event.js';

const KEY = 'R0UT1NGKEY0123456789abcdefabcdef';

function trigger(group = makeSnapshot()): TriggerEvent {
  const event = buildPagerDutyEvent(group, KEY);
  if (event.event_action !== 'trigger') throw new Error('expected a trigger');
  return event;
}

describe('buildPagerDutyEvent', () => {
  it('builds a trigger with the group dedup key, mapped severity, source, class, links and details', () => {
    const event = trigger();
    expect(event).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'alertgate-payments-0123456789abcdef',
      client: 'alertgate',
      client_url: 'http://alertmanager.example:9093',
      payload: {
        summary: '[FIRING:1] KubePodCrashLooping (payments): Pod is crash looping',
        source: 'alertmanager.example:9093',
        severity: 'critical',
        timestamp: '2026-10-01T09:00:00Z',
        group: 'payments-prod',
        class: 'KubePodCrashLooping',
        custom_details: {
          team: 'payments',
          groupKey: '{}:{alertname="KubePodCrashLooping"}',
          num_firing: 1,
          num_resolved: 0,
          firing: [{ labels: { pod: 'checkout-7d9f-abcde' }, annotations: { summary: 'Pod is crash looping' } }],
          resolved: [],
        },
      },
    });
    expect(event.links.map((l) => l.text)).toEqual(['Runbook', 'Source', 'Silence in Alertmanager']);
    expect(event.links[0]?.href).toBe('https://runbooks.example/crashloop');
  });

  it('resolves with only routing_key, dedup_key and event_action', () => {
    const group = makeSnapshot({ alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })] });
    expect(buildPagerDutyEvent(group, KEY)).toEqual({
      routing_key: KEY,
      dedup_key: 'alertgate-payments-0123456789abcdef',
      event_action: 'resolve',
    });
  });

  it('falls back to source "alertgate" without an externalURL and leaves out non-http links', () => {
    const event = trigger(
      makeSnapshot({
        externalURL: '',
        commonAnnotations: { summary: 's', runbook_url: 'javascript:alert(1)' },
        alerts: [makeAlert({ generatorURL: '' })],
      }),
    );
    expect(event.payload.source).toBe('alertgate');
    expect(event.links).toEqual([]);
    expect(event).not.toHaveProperty('client_url');
  });

  it('caps the summary at 1024 characters with an ellipsis', () => {
    const summary = eventSummary(makeSnapshot({ commonAnnotations: { summary: 'x'.repeat(5000) } }));
    expect(summary).toHaveLength(PAGERDUTY_LIMITS.summary);
    expect(summary.endsWith('x…')).toBe(true);
  });

  it('keeps the whole body under 512 KB and counts the alerts it left out', () => {
    const alerts = Array.from({ length: 2000 }, (_, i) =>
      makeAlert({ fingerprint: `f${i}`, labels: { alertname: 'Big', pod: `p${i}` }, annotations: { description: 'd'.repeat(10_000) } }),
    );
    const event = trigger(makeSnapshot({ alerts }));
    const bytes = Buffer.byteLength(JSON.stringify(event));
    expect(bytes).toBeLessThan(PAGERDUTY_LIMITS.bodyBytes);
    const details = event.payload.custom_details;
    expect(details.num_firing).toBe(2000);
    expect(details.firing.length).toBeGreaterThan(50);
    expect(details.firing.length + (details.omitted_alerts ?? 0)).toBe(2000);
    expect(details.firing[0]?.annotations['description']).toHaveLength(PAGERDUTY_LIMITS.detailValue);
  });

  it('keeps the body under 512 KB when the common labels alone would be over it, counting the labels left out', () => {
    // 60 values of 4,000 characters: 240 K characters, but 720 KB as JSON (`€` is 3 bytes in
    // UTF-8, a control character 6 as `\u0001`, a quote 2): PagerDuty refused the page (400
    // "Event object exceeds the maximum size of 512 KB") on every retry, so it went dead.
    for (const char of ['€', '\u0001', '"']) {
      const labels: Record<string, string> = { alertname: 'Huge', namespace: 'payments-prod', severity: 'critical' };
      for (let i = 0; i < 60; i++) labels[`l${i}`] = char.repeat(4000);
      const event = trigger(makeSnapshot({ commonLabels: labels, alerts: [makeAlert({ labels })] }));
      expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(PAGERDUTY_LIMITS.bodyBytes);
      const details = event.payload.custom_details;
      expect(details.common_labels).toMatchObject({ alertname: 'Huge', namespace: 'payments-prod', severity: 'critical' });
      const kept = Object.keys(details.common_labels).length;
      expect(kept).toBeGreaterThan(3);
      expect(details.omitted_common_labels).toBe(63 - kept);
      // The alert is sent too, its labels capped alike.
      expect(details.firing).toHaveLength(1);
      expect(details.firing[0]!.omitted_labels).toBe(63 - Object.keys(details.firing[0]!.labels).length);
      expect(details).not.toHaveProperty('omitted_alerts');
    }
    // Labels that fit are sent whole, with no count.
    const plain = trigger().payload.custom_details;
    expect(plain).not.toHaveProperty('omitted_common_labels');
    expect(plain.firing[0]).not.toHaveProperty('omitted_labels');
    // Two keys cut to the same 255 characters are one entry: the other is counted left out.
    const long = 'k'.repeat(300);
    const clash = trigger(makeSnapshot({ commonLabels: { alertname: 'A', [`${long}1`]: 'x', [`${long}2`]: 'y' } })).payload.custom_details;
    expect(Object.keys(clash.common_labels)).toHaveLength(2);
    expect(clash.omitted_common_labels).toBe(1);
  });

  it('says how many alerts Alertmanager left out of its notification (webhook max_alerts), and nothing when it sent them all', () => {
    expect(trigger(makeSnapshot({ truncatedAlerts: 3 })).payload.custom_details.truncated_alerts).toBe(3);
    expect(Object.keys(trigger().payload.custom_details)).not.toContain('truncated_alerts');
  });

  it('keeps a label named __proto__ in the details sent', () => {
    const labels = JSON.parse('{"pod":"checkout-1","__proto__":"x"}') as Record<string, string>;
    const body = JSON.parse(JSON.stringify(trigger(makeSnapshot({ alerts: [makeAlert({ labels })] })))) as TriggerEvent;
    expect(body.payload.custom_details.firing[0]?.labels).toEqual(JSON.parse('{"pod":"checkout-1","__proto__":"x"}'));
  });

  it('lists firing alerts before resolved ones', () => {
    const group = makeSnapshot({
      alerts: [makeAlert({ fingerprint: 'r', status: 'resolved', endsAt: '2026-10-01T09:30:00Z' }), makeAlert({ fingerprint: 'f' })],
    });
    const details = trigger(group).payload.custom_details;
    expect(details.firing.map((a) => a.status)).toEqual(['firing']);
    expect(details.resolved.map((a) => a.status)).toEqual(['resolved']);
  });
});

describe('mapSeverity', () => {
  it.each([
    ['critical', 'critical'],
    ['Critical', 'critical'],
    ['page', 'critical'],
    ['error', 'error'],
    ['high', 'error'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['none', 'info'],
    ['banana', 'warning'],
    [undefined, 'warning'],
  ] as const)('%s → %s', (label, expected) => {
    expect(mapSeverity(label)).toBe(expected);
  });
});
