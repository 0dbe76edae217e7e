import { describe, expect, it } from 'vitest';
import { slackLimitError } from '../testing/slack-limits.js';
import { renderDigest } from './digest-message.js';
import { countGathered, emptyTally } from './digest-tally.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINK = '<https://alertgate.example/v1/alerts?team=payments&status=firing|all payments alerts>';

/** A digest of one group named `alertname` and one group per severity of `severities`. */
function digest(alertname: string, severities: string[] = []) {
  const tally = emptyTally();
  countGathered(tally, { alertname, severity: 'critical', status: 'firing' });
  for (const severity of severities) countGathered(tally, { alertname: 'Other', severity, status: 'firing' });
  const message = renderDigest('payments', '#payments-alerts', { active: true, stormStartedAt: Date.UTC(2026, 10, 3, 9, 0), endedAt: null, tally }, 'https://alertgate.example');
  const blocks = message.blocks as { type: string; text?: { text: string }; elements?: { text: string }[] }[];
  return { message, top: blocks[1]!.text!.text, context: blocks[2]!.elements![0]!.text };
}

describe('renderDigest', () => {
  it('shows the counts, the top alertnames, the severities and the link', () => {
    const { top, context, message } = digest('KubePodCrashLooping', ['warning', 'warning']);
    expect(top).toBe('*Top alertnames*\n• Other × 2\n• KubePodCrashLooping × 1');
    expect(context).toBe(`Severities: warning 2, critical 1 · Team payments · ${LINK}`);
    expect(slackLimitError(message.text, message.blocks)).toBeUndefined();
  });

  it('marks the alertnames and severities verbatim, so Slack parses no mention written in them (@channel)', () => {
    const { message } = digest('@channel', ['@here']);
    const blocks = message.blocks as { text?: { text: string; verbatim?: boolean }; elements?: { text: string; verbatim?: boolean }[] }[];
    expect(blocks[1]!.text).toMatchObject({ text: expect.stringContaining('@channel'), verbatim: true });
    expect(blocks[2]!.elements![0]).toMatchObject({ text: expect.stringContaining('@here'), verbatim: true });
  });

  // A name is cut at 300 characters (so the line counting the rest always fits): an emoji or an entity sits across the 300th.
  it('cuts a long alertname not inside an emoji', () => {
    const emoji = digest(`${'x'.repeat(300 - 2)}😀😀`).top;
    const name = emoji.slice('*Top alertnames*\n• '.length, -' × 1'.length);
    expect(name.length).toBeLessThanOrEqual(300);
    expect(name).not.toMatch(LONE_SURROGATE);
    expect(name.endsWith('…')).toBe(true);
  });

  it('cuts a long alertname not inside an escaped &', () => {
    const amp = digest(`${'x'.repeat(300 - 3)}&&&`).top;
    expect(amp.length).toBeLessThanOrEqual(2900);
    expect(amp).toContain('…');
    // Every & left is a whole entity.
    expect(amp.replace(/&amp;/g, '')).not.toContain('&');
  });

  it('counts the groups under alertnames beyond the top eight, after eight names as long as any', () => {
    const tally = emptyTally();
    for (let i = 0; i < 10; i++) countGathered(tally, { alertname: `${i}${'y'.repeat(5000)}`, severity: 'critical', status: 'firing' });
    const message = renderDigest('payments', '#payments-alerts', { active: true, stormStartedAt: Date.UTC(2026, 10, 3, 9, 0), endedAt: null, tally }, undefined);
    const top = (message.blocks as { text?: { text: string } }[])[1]!.text!.text;
    expect(top.match(/ × 1$/gm)).toHaveLength(8);
    expect(top.endsWith('\n• 2 more groups under other alertnames')).toBe(true);
    expect(slackLimitError(message.text, message.blocks)).toBeUndefined();
  });

  it('keeps the link whole with many severities, counting those that do not fit', () => {
    const severities = Array.from({ length: 200 }, (_, i) => `sev-${i}-${'y'.repeat(10)}`);
    const { context, message } = digest('KubePodCrashLooping', severities);
    expect(context.length).toBeLessThanOrEqual(2900);
    expect(context.endsWith(` · Team payments · ${LINK}`)).toBe(true);
    const shown = context.match(/sev-\d+-y+ 1/g)?.length ?? 0;
    const more = Number(context.match(/ and (\d+) more · /)?.[1]);
    // critical 1 first (the most), then as many as fit, then the count of the rest.
    expect(context.startsWith('Severities: critical 1, sev-')).toBe(true);
    expect(shown).toBeGreaterThan(100);
    expect(shown + more).toBe(200);
    expect(slackLimitError(message.text, message.blocks)).toBeUndefined();
  });
});
