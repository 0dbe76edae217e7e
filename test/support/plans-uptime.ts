/**
 * The rig of an uptime test file that reads a few planned probe series (probe-plans-prometheus.ts)
 * through the uptime service directly, without a gateway: shared so that each such file states
 * only its plans and checks.
 */
import { afterAll, beforeAll } from 'vitest';
import type { UptimeSpec } from '../../src/generate/model.js';
import type { ServiceUptime } from '../../src/uptime/report-types.js';
import type { ResolutionPolicy } from '../../src/uptime/resolution.js';
import { createUptimeService, type UptimeService } from '../../src/uptime/service.js';
import { createThanosClient } from '../../src/uptime/thanos-client.js';
import { startPlansPrometheus, type PlansPrometheus, type ProbePlan } from './probe-plans-prometheus.js';

export interface PlansUptime {
  /** The payments team's uptime service, its checks `specs`, "now" 2026-10-10. */
  service(): UptimeService;
  /** One check's figures from the payments team's report over [from, to). */
  report(from: string, to: string, name: string): Promise<ServiceUptime>;
  /** The payments team's report warnings over [from, to). */
  warnings(from: string, to: string): Promise<string[]>;
}

/**
 * Starts Prometheus serving `plans` before the file's tests and stops it after them (`fetch`, when
 * given, is the client's: a test may look at what Prometheus answered; `policy`, when given, says
 * which days alertgate reads as 5m/1h data: Prometheus ignores the resolution asked for, so its
 * sums and counts over bucket-aligned windows are those Thanos' buckets hold, while a range
 * selector still returns raw samples). Without
 * promtool or prometheus (outside CI, see requireBinary) nothing starts and the file's suites
 * skip themselves.
 */
export function usePlansUptime(
  bins: { promtool: string | undefined; prometheus: string | undefined },
  plans: ProbePlan[],
  specs: UptimeSpec[],
  opts: { fetch?: typeof fetch; policy?: ResolutionPolicy } = {},
): PlansUptime {
  let fx: PlansPrometheus | undefined;
  let svc: UptimeService | undefined;
  beforeAll(async () => {
    if (!bins.promtool || !bins.prometheus) return;
    fx = await startPlansPrometheus({ promtool: bins.promtool, prometheus: bins.prometheus }, plans);
    const checks = async () => new Map([['payments', specs]]);
    svc = createUptimeService({ client: createThanosClient({ url: fx.prometheus.url, ...(opts.fetch ? { fetch: opts.fetch } : {}) }), checks, now: () => Date.parse('2026-10-10T00:00:00Z'), ...(opts.policy ? { policy: opts.policy } : {}) });
  }, 120_000);
  afterAll(async () => fx?.stop());

  const service = () => {
    if (!svc) throw new Error('the plans uptime service is not started (usePlansUptime runs in beforeAll)');
    return svc;
  };
  return {
    service,
    async report(from, to, name) {
      const r = await service().report({ team: 'payments', from, to });
      return r.services.find((s) => s.service === name)!;
    },
    async warnings(from, to) {
      return (await service().report({ team: 'payments', from, to })).warnings;
    },
  };
}
