/**
 * Range queries asked at multiples of their step, and answers at times alertgate did not ask for
 * never dropped silently: they fail the report, naming the cause and the cure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllFakeThanos, failure, startFakeThanos } from './fake-thanos.case.js';
import { sumAndCountQuery } from './promql-window.js';
import { createUptimeService } from './service.js';
import { alignUp } from './step-align.js';
import { createThanosClient } from './thanos-client.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

afterEach(closeAllFakeThanos);

describe('step alignment', () => {
  it('moves an evaluation time forward to the next multiple of the step, and reads back by the difference', () => {
    const utcDayEnd = Date.UTC(2026, 9, 2);
    expect(alignUp(utcDayEnd - 1, DAY)).toEqual({ at: utcDayEnd, offsetMs: 1 });
    // A London summer day ends at 23:00 UTC.
    expect(alignUp(utcDayEnd - HOUR - 1, DAY)).toEqual({ at: utcDayEnd, offsetMs: HOUR + 1 });
    expect(alignUp(utcDayEnd, DAY)).toEqual({ at: utcDayEnd, offsetMs: 0 });
    expect(sumAndCountQuery('up', DAY - 1, 60_000, HOUR + 1)).toContain('sum_over_time(up[86399999ms] offset 3600001ms)');
    expect(sumAndCountQuery('min(up)', DAY - 1, 60_000, 1)).toContain('[86399999ms:60000ms] offset 1ms)');
  });

  it('the client refuses to ask a range query a query-frontend would move', async () => {
    const client = createThanosClient({ url: 'http://127.0.0.1:9' });
    await expect(client.range('up', DAY - 1, 3 * DAY - 1, DAY, '0s')).rejects.toThrow(/not a multiple of its step/);
  });
});

describe('a sample at a time alertgate did not ask for', () => {
  /** A matrix answer of `times` (ms), as a misbehaving proxy would send it. */
  const matrix = (times: number[]) => ({
    status: 200,
    body: { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'x' }, values: times.map((t) => [t / 1000, '1']) }] } },
  });

  it('in a range answer is an "unavailable" error naming the cause and the cure, not a sample', async () => {
    const start = Date.UTC(2026, 9, 2);
    // Answered one hour early: some proxy moved the evaluation times.
    const f = await startFakeThanos(() => matrix([start - HOUR, start - HOUR + DAY]));
    const err = await failure(createThanosClient({ url: f.url }).range('up', start, start + DAY, DAY, '0s'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain(`THANOS_URL=${f.url}`);
    expect(err.message).toContain('2026-10-01T23:00:00.000Z');
    expect(err.message).toContain('--no-query-range.align-range-with-step');
    expect(err.message).toContain('Querier');
  });

  it('fails the report instead of reading as no data', async () => {
    // Every instant query answered at one fixed time, whatever time was asked (the UTC days of
    // the report are single-day runs, so their totals are instant queries).
    const fixed = Date.UTC(2026, 9, 1, 12);
    const f = await startFakeThanos((params, path) => {
      if (path.endsWith('query_range')) return matrix([]);
      const labels = (agg: string) => ({ job: 'x', alertgate_agg: agg });
      const result = [
        { metric: labels('sum'), value: [fixed / 1000, '1440'] },
        { metric: labels('count'), value: [fixed / 1000, '1440'] },
      ];
      return { status: 200, body: { status: 'success', data: { resultType: 'vector', result: params.get('query')!.startsWith('label_replace') ? result : [] } } };
    });
    const svc = createUptimeService({
      client: createThanosClient({ url: f.url }),
      checks: async () => new Map([['payments', [{ service: 'checkout', up: 'probe_success{job="x"}', objective: 99.9, interval: '1m' }]]]),
      now: () => Date.UTC(2026, 9, 10),
    });
    const err = await failure(svc.report({ team: 'payments', from: '2026-10-02', to: '2026-10-03' }));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('a time alertgate did not ask for');
    expect(err.message).toContain('2026-10-01T12:00:00.000Z');
  });
});
