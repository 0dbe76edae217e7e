/**
 * RefusalLog's bounds: one line per (code, client) per window, kept per client; a count reaches
 * the client's next line within a minute of its window's end; and a flood from more clients than
 * it tracks still gives a bounded number of lines.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { RefusalLog } from './refusal-log.js';

function rig() {
  const lines: Record<string, unknown>[] = [];
  const clock = { now: 0 };
  const log = new RefusalLog(createLogger({ write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }), { now: () => clock.now });
  const refuse = (client: string, code = 401) => log.refused({ code, error: 'missing or invalid bearer token', client, userAgent: 'Alertmanager/0.28.1' });
  return { lines, clock, refuse };
}

describe('RefusalLog', () => {
  it('throttles each client and each code on its own', () => {
    const { lines, refuse } = rig();
    for (let i = 0; i < 3; i++) {
      refuse('10.0.0.1');
      refuse('10.0.0.2');
      refuse('10.0.0.1', 415);
    }
    expect(lines.map((l) => [l.code, l.client])).toEqual([
      [401, '10.0.0.1'],
      [401, '10.0.0.2'],
      [415, '10.0.0.1'],
    ]);
  });

  it('gives the count to the next line within a minute of the window, and forgets it later', () => {
    const { lines, clock, refuse } = rig();
    refuse('10.0.0.1');
    refuse('10.0.0.1');
    clock.now = 40_000;
    refuse('10.0.0.1');
    refuse('10.0.0.1');
    expect(lines.map((l) => l.suppressed)).toEqual([undefined, 1]);
    // Another client's line sweeps ended windows: this one ended at 50 s, with a count, 80 s ago.
    clock.now = 130_000;
    refuse('10.0.0.2');
    refuse('10.0.0.1');
    expect(lines.slice(2).map((l) => [l.client, l.suppressed])).toEqual([
      ['10.0.0.2', undefined],
      ['10.0.0.1', undefined],
    ]);
  });

  it('beyond 10,000 clients in one window, the others share one line per code', () => {
    const { lines, refuse } = rig();
    for (let i = 0; i < 12_000; i++) refuse(`fd00::${i.toString(16)}`);
    expect(lines).toHaveLength(10_001);
    expect(lines.at(-1)).toMatchObject({ client: 'fd00::2710' });
  });
});
