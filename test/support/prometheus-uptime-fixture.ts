/**
 * A known estate for uptime tests: 90 days (2026-08-03 to 2026-11-01 UTC) of blackbox probes
 * with known outages, a known gap of missing samples, a service probed by two replicas, one that
 * starts late and one with no data at all; built into real TSDB blocks and served by a real
 * Prometheus. Ground truth is computed here from the very samples that were written.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedSeries } from './prometheus-tsdb.js';
import { serveSeries, type PrometheusProcess } from './prometheus-server.js';

export const DATA_FROM = Date.UTC(2026, 7, 3);
export const DATA_TO = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

interface SeriesPlan {
  instance: string;
  intervalMs: number;
  offsetMs: number;
  /** [start, end) in which samples are 0. */
  outages: Array<[string, string]>;
  /** [start, end) without samples. */
  gaps?: Array<[string, string]>;
  /** No samples before this. */
  startsAt?: string;
  /** No samples from this on. */
  endsAt?: string;
  /** `job` label; default blackbox. */
  job?: string;
}

export interface ServicePlan {
  service: string;
  up: string;
  objective: number;
  interval?: string;
  series: SeriesPlan[];
}

export const SERVICES: ServicePlan[] = [
  {
    // Samples exactly on the minute, so one falls exactly on every midnight.
    service: 'checkout',
    up: 'probe_success{job="blackbox",instance="https://checkout.example"}',
    objective: 99.9,
    interval: '1m',
    series: [
      {
        instance: 'https://checkout.example',
        intervalMs: MIN,
        offsetMs: 0,
        outages: [
          ['2026-08-20T23:50:00Z', '2026-08-21T00:20:00Z'], // across midnight: one incident
          ['2026-09-10T10:00:00Z', '2026-09-10T10:25:00Z'],
          ['2026-10-05T12:00:00Z', '2026-10-05T12:01:00Z'], // a single down sample
          ['2026-10-25T00:50:00Z', '2026-10-25T02:10:00Z'], // across the London clock change
        ],
      },
    ],
  },
  {
    // 30 s probes, interval not configured (inferred); a 3-hour gap right after an outage.
    service: 'basket',
    up: 'probe_success{job="blackbox",instance="https://basket.example"}',
    objective: 99.5,
    series: [
      {
        instance: 'https://basket.example',
        intervalMs: 30_000,
        offsetMs: 13_000,
        outages: [
          ['2026-09-15T02:40:00Z', '2026-09-15T03:00:00Z'],
          ['2026-10-12T08:00:00Z', '2026-10-12T09:30:00Z'],
        ],
        gaps: [['2026-09-15T03:00:00Z', '2026-09-15T06:00:00Z']],
      },
    ],
  },
  {
    // Two probe replicas: counted together; their overlapping outages are one incident.
    service: 'search',
    up: 'probe_success{job="blackbox",instance=~"https://search-[ab].example"}',
    objective: 99,
    interval: '1m',
    series: [
      { instance: 'https://search-a.example', intervalMs: MIN, offsetMs: 20_000, outages: [['2026-09-01T06:00:00Z', '2026-09-01T07:00:00Z']] },
      { instance: 'https://search-b.example', intervalMs: MIN, offsetMs: 40_000, outages: [['2026-09-01T06:30:00Z', '2026-09-01T08:00:00Z']] },
    ],
  },
  {
    // Probed only from 2026-08-10: the first week has no samples.
    service: 'book-a-visit',
    up: 'probe_success{job="blackbox",instance="https://book-a-visit.example"}',
    objective: 99.9,
    series: [{ instance: 'https://book-a-visit.example', intervalMs: MIN, offsetMs: 5_000, outages: [], startsAt: '2026-08-10T00:00:00Z' }],
  },
  {
    // Never probed at all.
    service: 'legacy',
    up: 'probe_success{job="blackbox",instance="https://legacy.example"}',
    objective: 99,
    series: [],
  },
  {
    // Four probes every 15 s for three days: over 20 000 samples a day, so incidents are found
    // hour by hour; one outage crosses midnight.
    service: 'api',
    up: 'probe_success{job="api"}',
    objective: 99.95,
    interval: '15s',
    series: [0, 1, 2, 3].map((n) => ({
      instance: `https://api-${n}.example`,
      job: 'api',
      intervalMs: 15_000,
      offsetMs: 1_000 + n * 3_000,
      startsAt: '2026-10-10T00:00:00Z',
      endsAt: '2026-10-13T00:00:00Z',
      outages:
        n === 1
          ? [['2026-10-11T13:20:00Z', '2026-10-11T13:47:30Z']]
          : n === 2
            ? [['2026-10-11T23:58:00Z', '2026-10-12T00:03:00Z']]
            : ([] as Array<[string, string]>),
    })),
  },
];

export interface Sample {
  t: number;
  v: number;
}

/** The samples of every series of every service, generated once. */
export const SAMPLES: Map<string, Sample[][]> = new Map(
  SERVICES.map((svc) => [
    svc.service,
    svc.series.map((p) => {
      const out: Sample[] = [];
      const outages = p.outages.map(([a, b]) => [at(a), at(b)] as const);
      const gaps = (p.gaps ?? []).map(([a, b]) => [at(a), at(b)] as const);
      const begin = p.startsAt ? at(p.startsAt) : DATA_FROM;
      const finish = p.endsAt ? at(p.endsAt) : DATA_TO;
      for (let t = begin + p.offsetMs; t < finish; t += p.intervalMs) {
        if (gaps.some(([a, b]) => t >= a && t < b)) continue;
        out.push({ t, v: outages.some(([a, b]) => t >= a && t < b) ? 0 : 1 });
      }
      return out;
    }),
  ]),
);

export function plan(service: string): ServicePlan {
  const p = SERVICES.find((s) => s.service === service);
  if (!p) throw new Error(`no service ${service}`);
  return p;
}

/** Ground truth: sample-weighted uptime percent of `service` over [from, to), or null. */
export function trueUptime(service: string, from: number, to: number): number | null {
  let sum = 0;
  let count = 0;
  for (const series of SAMPLES.get(service)!) {
    for (const s of series) {
      if (s.t >= from && s.t < to) {
        sum += s.v;
        count += 1;
      }
    }
  }
  return count === 0 ? null : (sum / count) * 100;
}

/** Ground truth incidents by the contract's definition, per series, then united. */
export function trueIncidents(service: string, from: number, to: number): Array<{ start: number; end: number }> {
  const p = plan(service);
  const periods: Array<{ start: number; end: number }> = [];
  SAMPLES.get(service)!.forEach((samples, i) => {
    const interval = p.series[i]!.intervalMs;
    let open: number | undefined;
    for (let j = 0; j < samples.length; j++) {
      const s = samples[j]!;
      if (s.t < from || s.t >= to) continue;
      if (s.v === 0 && open === undefined) open = s.t;
      const next = samples[j + 1];
      if (open !== undefined && s.v === 0 && (!next || next.t - s.t > interval * 1.5)) {
        periods.push({ start: open, end: s.t + interval }); // samples stop: last down + one interval
        open = undefined;
      } else if (open !== undefined && s.v === 1) {
        periods.push({ start: open, end: s.t });
        open = undefined;
      }
    }
  });
  periods.sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const p2 of periods) {
    const last = merged.at(-1);
    if (last && p2.start <= last.end) last.end = Math.max(last.end, p2.end);
    else merged.push({ ...p2 });
  }
  return merged;
}

export const ROUTES: Record<string, string> = {
  payments: 'team: payments\nslack:\n  channel: "#payments-alerts"\nroutes:\n  - receivers: [slack]\nreports:\n  - schedule: "0 9 1 * *"\n    period: previous-month\n    channel: "#payments-leads"\n    timezone: Europe/London\n',
  platform: 'team: platform\nslack:\n  channel: "#platform-alerts"\nroutes:\n  - receivers: [slack]\n',
  prisons: 'team: prisons\nslack:\n  channel: "#prisons-alerts"\nroutes:\n  - receivers: [slack]\n',
};

function rulesYaml(team: string, services: ServicePlan[]): string {
  const lines = [`team: ${team}`, `namespace: ${team}-prod`, 'uptime:'];
  for (const s of services) {
    lines.push(`  - service: ${s.service}`, `    up: '${s.up}'`, `    objective: ${s.objective}`);
    if (s.interval) lines.push(`    interval: ${s.interval}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A config dir: payments owns checkout, basket, search; prisons owns book-a-visit and legacy;
 * platform owns api. `extraRules` overrides or adds rules files by team.
 */
/** writeConfigDir, with one maintenance window in payments' routes file. */
export async function writeConfigDirWithWindow(dir: string, w: { reason: string; start: string; end: string }): Promise<void> {
  await writeConfigDir(dir);
  const window = ['maintenance:', `  - reason: "${w.reason}"`, `    start: "${w.start}"`, `    end: "${w.end}"`, ''];
  await appendFile(join(dir, 'routes', 'payments.yaml'), window.join('\n'));
}

export async function writeConfigDir(dir: string, extraRules: Record<string, string> = {}): Promise<void> {
  await mkdir(join(dir, 'routes'), { recursive: true });
  await mkdir(join(dir, 'rules'), { recursive: true });
  for (const [team, text] of Object.entries(ROUTES)) await writeFile(join(dir, 'routes', `${team}.yaml`), text);
  const rules: Record<string, string> = {
    payments: rulesYaml('payments', SERVICES.slice(0, 3)),
    prisons: rulesYaml('prisons', SERVICES.slice(3, 5)),
    platform: rulesYaml('platform', SERVICES.slice(5)),
    ...extraRules,
  };
  for (const [team, text] of Object.entries(rules)) await writeFile(join(dir, 'rules', `${team}.yaml`), text);
}

export interface UptimeFixture {
  prometheus: PrometheusProcess;
  /** A config dir (routes/, rules/) describing the services above. */
  configDir: string;
  dir: string;
  stop(): Promise<void>;
}

export function generatedSeries(): GeneratedSeries[] {
  return SERVICES.flatMap((svc) =>
    svc.series.map((p, i) => {
      const samples = SAMPLES.get(svc.service)![i]!;
      return {
        metric: 'probe_success',
        labels: { job: p.job ?? 'blackbox', instance: p.instance },
        times: samples.map((s) => s.t),
        values: samples.map((s) => s.v),
      };
    }),
  );
}

export async function startUptimeFixture(bins: { promtool: string; prometheus: string }): Promise<UptimeFixture> {
  const served = await serveSeries(bins, 'alertgate-uptime-', generatedSeries());
  try {
    const configDir = join(served.dir, 'config');
    await writeConfigDir(configDir);
    return { ...served, configDir };
  } catch (err) {
    await served.stop();
    throw err;
  }
}
