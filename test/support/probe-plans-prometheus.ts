/**
 * A real Prometheus serving a few probe series described by plans (interval, offset, outages,
 * gaps), for uptime tests that need one situation each (pod churn, mixed probe intervals, short
 * ranges) rather than the 90-day estate of prometheus-uptime-fixture.ts.
 */
import type { GeneratedSeries } from './prometheus-tsdb.js';
import { serveSeries, type PrometheusProcess } from './prometheus-server.js';

const at = (iso: string) => Date.parse(iso);

export interface ProbePlan {
  job: string;
  instance: string;
  /** Samples from `from` (plus `offsetMs`) every `intervalMs`, before `to`. */
  from: string;
  to: string;
  intervalMs: number;
  offsetMs: number;
  /** [start, end) in which samples are 0. */
  down?: Array<[string, string]>;
  /** [start, end) without samples. */
  gaps?: Array<[string, string]>;
}

export function planSamples(p: ProbePlan): Array<{ t: number; v: number }> {
  const out: Array<{ t: number; v: number }> = [];
  for (let t = at(p.from) + p.offsetMs; t < at(p.to); t += p.intervalMs) {
    if ((p.gaps ?? []).some(([a, b]) => t >= at(a) && t < at(b))) continue;
    out.push({ t, v: (p.down ?? []).some(([a, b]) => t >= at(a) && t < at(b)) ? 0 : 1 });
  }
  return out;
}

export interface PlansPrometheus {
  prometheus: PrometheusProcess;
  stop(): Promise<void>;
}

/** Builds `probe_success{job, instance}` blocks from the plans and serves them. */
export async function startPlansPrometheus(bins: { promtool: string; prometheus: string }, plans: ProbePlan[]): Promise<PlansPrometheus> {
  const series: GeneratedSeries[] = plans.map((p) => {
    const s = planSamples(p);
    return { metric: 'probe_success', labels: { job: p.job, instance: p.instance }, times: s.map((x) => x.t), values: s.map((x) => x.v) };
  });
  return serveSeries(bins, 'alertgate-probe-plans-', series);
}
