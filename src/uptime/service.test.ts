/**
 * The report service against a fake Querier: which `max_source_resolution` each window asks
 * for, Thanos warnings carried into the report, and the order in which problems are reported.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../generate/model.js';
import { UptimeError } from './errors.js';
import { closeAllFakeThanos, startFakeThanos } from './fake-thanos.case.js';
import { createUptimeService } from './service.js';
import { createThanosClient } from './thanos-client.js';

afterEach(closeAllFakeThanos);

const NOW = Date.parse('2026-11-27T12:00:00Z');
const checkout: UptimeSpec = { service: 'checkout', up: 'probe_success{job="x"}', objective: 99.9 };
const checks = async () =>
  new Map<string, UptimeSpec[]>([
    ['payments', [checkout]],
    ['platform', []],
  ]);

async function emptyThanos() {
  return startFakeThanos((_params, path) => ({
    status: 200,
    body: { status: 'success', data: { resultType: path.endsWith('query_range') ? 'matrix' : 'vector', result: [] }, warnings: ['store eu-1 answered partially'] },
  }));
}

async function rejection(p: Promise<unknown>): Promise<UptimeError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof UptimeError)) throw new Error(`expected an UptimeError, got ${String(err)}`);
  return err;
}

describe('uptime service', () => {
  it('asks for raw data where it still exists, 5m and 1h downsampled data beyond', async () => {
    const f = await emptyThanos();
    const uptime = createUptimeService({ client: createThanosClient({ url: f.url }), checks, now: () => NOW });
    const resolutions = async (from: string, to: string) => {
      f.requests.length = 0;
      await uptime.report({ team: 'payments', from, to });
      return [...new Set(f.requests.map((r) => r.params.get('max_source_resolution')))].sort();
    };
    expect(await resolutions('2026-11-20', '2026-11-22')).toEqual(['0s']);
    expect(await resolutions('2026-09-01', '2026-09-03')).toEqual(['5m']);
    expect(await resolutions('2024-12-01', '2025-01-01')).toEqual(['1h']);
    // Across the raw retention (30 days): older days 5m, recent days raw, each its own query.
    expect(await resolutions('2026-10-25', '2026-11-01')).toEqual(['0s', '5m']);
  });

  it('retention thresholds are configurable', async () => {
    const f = await emptyThanos();
    const policy = { rawRetentionMs: 120 * 86_400_000, fiveMinuteRetentionMs: 400 * 86_400_000 };
    const uptime = createUptimeService({ client: createThanosClient({ url: f.url }), checks, now: () => NOW, policy });
    await uptime.report({ team: 'payments', from: '2026-09-01', to: '2026-09-03' });
    expect(new Set(f.requests.map((r) => r.params.get('max_source_resolution')))).toEqual(new Set(['0s']));
  });

  it('carries Thanos warnings into the report; no samples means no data, not 100%', async () => {
    const f = await emptyThanos();
    const uptime = createUptimeService({ client: createThanosClient({ url: f.url }), checks, now: () => NOW });
    const r = await uptime.report({ team: 'payments', month: '2026-10' });
    expect(r.warnings).toEqual(['store eu-1 answered partially']);
    expect(r.services[0]).toMatchObject({ uptimePercent: null, noDataSeconds: 31 * 86_400, errorBudgetRemainingPercent: null });
    const empty = await uptime.report({ team: 'platform' });
    expect(empty.services).toEqual([]);
  });

  it('reports bad parameters first, then unknown teams, then a missing THANOS_URL', async () => {
    const uptime = createUptimeService({ checks, now: () => NOW });
    await expect(rejection(uptime.report({ team: 'payments', tz: 'Mars/Olympus' }))).resolves.toMatchObject({ kind: 'invalid', param: 'tz' });
    await expect(rejection(uptime.report({ team: 'nobody' }))).resolves.toMatchObject({ kind: 'not-found' });
    await expect(rejection(uptime.report({ team: 'payments' }))).resolves.toMatchObject({ kind: 'not-configured' });
    await expect(rejection(uptime.reportAll({}))).resolves.toMatchObject({ kind: 'not-configured' });
  });
});
