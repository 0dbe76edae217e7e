import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_FINGERPRINT_CHARS, normalizeWebhook } from './normalize.js';
import { webhookSchema } from './webhook-schema.js';

function body(alerts: { fp?: string; pod: string; status?: 'firing' | 'resolved' }[]) {
  return webhookSchema.parse({
    receiver: 'team-x',
    groupKey: '{}:{alertname="A"}',
    status: 'firing',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: 'A', pod: a.pod },
      startsAt: '2026-11-20T09:00:00Z',
      ...(a.status === 'resolved' ? { endsAt: '2026-11-20T09:20:00Z' } : {}),
      ...(a.fp ? { fingerprint: a.fp } : {}),
    })),
  });
}

function recorder() {
  const lines: [object, string | undefined][] = [];
  return { lines, warn: (fields: object, msg?: string) => void lines.push([fields, msg]) };
}

describe('normalizeWebhook: one alert per fingerprint', () => {
  it('keeps the last alert of a repeated fingerprint, in its place, as the stores would, and warns naming receiver, groupKey and count', () => {
    const log = recorder();
    const n = normalizeWebhook(
      body([
        { fp: 'x', pod: 'x1' },
        { fp: 'y', pod: 'y' },
        { fp: 'x', pod: 'x2', status: 'resolved' },
        { fp: 'z', pod: 'z' },
        { fp: 'y', pod: 'y2' },
        { fp: 'x', pod: 'x3', status: 'resolved' },
      ]),
      log,
    );
    expect(n.alerts.map((a) => [a.fingerprint, a.labels.pod, a.status])).toEqual([
      ['z', 'z', 'firing'],
      ['y', 'y2', 'firing'],
      ['x', 'x3', 'resolved'],
    ]);
    expect(log.lines).toEqual([[{ receiver: 'team-x', groupKey: '{}:{alertname="A"}', alerts: 6, duplicates: 3 }, expect.stringContaining('kept the last alert of each')]]);
  });

  it('counts computed fingerprints too: the same labels twice are one alert', () => {
    const log = recorder();
    const n = normalizeWebhook(body([{ pod: 'p' }, { pod: 'p', status: 'resolved' }]), log);
    expect(n.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(log.lines).toHaveLength(1);
  });

  it('leaves distinct alerts as they are and says nothing', () => {
    const log = recorder();
    const n = normalizeWebhook(body([{ fp: 'x', pod: 'x' }, { fp: 'y', pod: 'y' }, { pod: 'z' }]), log);
    expect(n.alerts.map((a) => a.labels.pod)).toEqual(['x', 'y', 'z']);
    expect(log.lines).toEqual([]);
  });
});

describe('normalizeWebhook: fingerprints longer than the stores index', () => {
  it('keeps one of 128 characters as sent and replaces a longer one by sha256: and its hash, the same every time', () => {
    const limit = 'x'.repeat(MAX_FINGERPRINT_CHARS);
    const over = 'x'.repeat(MAX_FINGERPRINT_CHARS + 1);
    const n = normalizeWebhook(body([{ fp: limit, pod: 'a' }, { fp: over, pod: 'b' }, { fp: `${over}\u0000`, pod: 'c' }]));
    const sha = (s: string) => `sha256:${createHash('sha256').update(s, 'utf8').digest('hex')}`;
    // A NUL is U+FFFD in a stored fingerprint (as before), hashed or not.
    expect(n.alerts.map((a) => a.fingerprint)).toEqual([limit, sha(over), sha(`${over}\uFFFD`)]);
    expect(normalizeWebhook(body([{ fp: over, pod: 'b' }])).alerts[0]!.fingerprint).toBe(sha(over));
  });
});
