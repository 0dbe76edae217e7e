/**
 * bench/support/compare-summary: the medians and B ÷ A that `bench/compare.ts` prints.
 */
import { describe, expect, it } from 'vitest';
import { compareTable, median, summarize, type ProbeRound } from '../bench/support/compare-summary.js';

function round(webhooksPerS: number, eventLoop: number, writer: number, client: number, p99Ms = 50): ProbeRound {
  return { webhooksPerS, p99Ms, cpuMsPerWebhook: { eventLoop, writer, others: 0.02 }, clientCpuMsPerWebhook: client };
}

describe('compare summary', () => {
  it('takes medians, so one round on a noisy stretch does not move the figure', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const s = summarize('A', [round(4000, 0.16, 0.1, 0.06), round(1000, 0.5, 0.3, 0.2), round(4200, 0.15, 0.11, 0.06)]);
    expect(s).toMatchObject({ label: 'A', rounds: 3, webhooksPerS: 4000, eventLoopMs: 0.16, writerMs: 0.11 });
  });

  it('divides the gateway CPU per webhook by the load client CPU, which takes out part of the machine drift', () => {
    // The same build on a machine twice as slow: every CPU figure doubles, the quotient does not.
    const fast = summarize('fast', [round(4000, 0.16, 0.1, 0.06)]);
    const slow = summarize('slow', [round(2000, 0.32, 0.2, 0.12)]);
    expect(fast.cpuPerClientCpu).toBeCloseTo((0.16 + 0.1 + 0.02) / 0.06, 6);
    expect(slow.cpuPerClientCpu).toBeCloseTo((0.32 + 0.2 + 0.02) / 0.12, 6);
  });

  it('prints both builds and B ÷ A per figure', () => {
    const table = compareTable(summarize('base', [round(4000, 0.2, 0.1, 0.06, 60)]), summarize('change', [round(5000, 0.15, 0.1, 0.06, 45)]));
    expect(table).toContain('| median of 1 / 1 rounds | A: base | B: change | B ÷ A |');
    expect(table).toContain('| webhooks/s | 4000 | 5000 | 1.250 |');
    expect(table).toContain('| client p99, ms | 60.0 | 45.0 | 0.750 |');
    expect(table).toContain('| event loop CPU per webhook, ms | 0.200 | 0.150 | 0.750 |');
  });

  it('refuses an empty set of rounds instead of printing NaN', () => {
    expect(() => summarize('none', [])).toThrow('median of no values');
  });
});
