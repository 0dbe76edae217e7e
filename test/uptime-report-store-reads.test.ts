/**
 * How often one uptime report reads the store for its maintenance windows. The windows live in
 * the team's state and in one archive record per month (maintenance/archive.ts), 2 + months
 * records for a report; read once per service, a 400-day report of 20 services made ~300 reads,
 * up to 240 at once on the pool that webhook writes need. One report reads them once: the reads
 * grow with the months, not with the services, and every service still gets its own windows.
 * The real store on both backends, observed through the `store` the uptime wiring is given; a
 * fake Thanos with no samples (the report lists the windows that excuse each service).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadRoutingConfig } from '../src/config/load-routes.js';
import type { RoutingConfig } from '../src/config/types.js';
import { silentLogger } from '../src/log/logger.js';
import { archiveIdsToLock, archiveWindows } from '../src/maintenance/archive.js';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState, type StoredWindow } from '../src/maintenance/state.js';
import type { Store } from '../src/store/store.js';
import { onBothStores } from '../src/testing/both-stores.js';
import { UptimeError } from '../src/uptime/errors.js';
import { noSeries, startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { DEFAULT_RESOLUTION_POLICY } from '../src/uptime/resolution.js';
import { createUptime, type UptimeWiring } from '../src/uptime/wiring.js';

const SERVICES = Array.from({ length: 20 }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const AT = Date.parse('2026-11-01T00:00:00Z');
/** 419 days over 14 calendar months (2025-09 … 2026-10). */
const LONG = { team: 'payments', from: '2025-09-01', to: '2026-10-25' };
/** The gateway's environment: payments is the only team, so also the one that owns stray alerts. */
const ENV = { FALLBACK_TEAM: 'payments' };

const routes = [
  'team: payments',
  'slack:',
  '  channel: "#payments-alerts"',
  'routes:',
  '  - receivers: [slack]',
  'maintenance:',
  '  - reason: "clock change"',
  '    start: "2026-03-29T00:00:00Z"',
  '    end: "2026-03-29T02:00:00Z"',
  '    matchers: [\'service="s03"\']',
  '',
].join('\n');
const rules = ['team: payments', 'namespace: payments-prod', 'uptime:', ...SERVICES.flatMap((s) => [`  - service: ${s}`, `    up: 'probe_success{job="${s}"}'`, '    objective: 99.9']), ''].join('\n');

const window = (id: string, start: string, end: string, reason: string, matchers: string[] = []): StoredWindow => ({
  id,
  team: 'payments',
  matchers,
  start,
  end,
  reason,
  createdAt: '2025-08-01T00:00:00Z',
});
/** In the team's state: current windows. */
const failover = window('w-failover', '2026-10-20T10:00:00Z', '2026-10-20T11:00:00Z', 'failover', ['service="s01"']);
/** In the archive: one month's record, and two months' records. */
const move = window('w-move', '2025-11-10T22:00:00Z', '2025-11-11T02:00:00Z', 'datacentre move');
const upgrade = window('w-upgrade', '2026-05-31T22:00:00Z', '2026-06-01T03:00:00Z', 'storage upgrade', ['service=~"s0[12]"']);

/** The store the uptime wiring is given, counting the records read through it. */
function countingReads(store: Store): { store: Store; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      if (key === 'getGroup') return (id: string) => (reads++, target.getGroup(id));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counted, reads: () => reads };
}

/** Writes the windows as POST /v1/maintenance keeps them: `failover` in the state, the others archived. */
async function seed(store: Store): Promise<void> {
  const now = new Date(AT);
  const ended = [move, upgrade];
  const lock = archiveIdsToLock('payments', ended);
  await store.updateGroups([maintenanceStateId('payments'), ...lock.ids], (current) => {
    const { writes, archived } = archiveWindows('payments', ended, current, new Set(lock.months), now);
    expect(archived).toEqual(ended);
    const prev = current.get(maintenanceStateId('payments'));
    return [{ group: maintenanceRecord('payments', { ...readMaintenanceState(prev), windows: [failover] }, prev, now), notifications: [] }, ...writes];
  });
}

let thanos: FakeThanos;
let configDir: string;
let routing: RoutingConfig;
beforeAll(async () => {
  thanos = await startFakeThanos((_, path) => ({ status: 200, body: noSeries(path) }));
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-store-reads-'));
  await mkdir(join(configDir, 'routes'));
  await mkdir(join(configDir, 'rules'));
  await writeFile(join(configDir, 'routes', 'payments.yaml'), routes);
  await writeFile(join(configDir, 'rules', 'payments.yaml'), rules);
  const loaded = await loadRoutingConfig(configDir, ENV);
  expect(loaded.errors).toEqual([]);
  routing = loaded.config!;
});
afterAll(async () => {
  await thanos?.close();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

await onBothStores('one uptime report reads its maintenance windows once', (newStore) => {
  let store: Store;
  let counted: ReturnType<typeof countingReads>;
  let uptime: UptimeWiring;
  beforeEach(async () => {
    store = await newStore();
    await seed(store);
    counted = countingReads(store);
    uptime = createUptime({
      thanos: { url: thanos.url, timeoutMs: 10_000, resolution: DEFAULT_RESOLUTION_POLICY },
      configDir,
      env: ENV,
      routing: () => routing,
      store: counted.store,
      onEnqueued: () => {},
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    uptime.abortQueries();
    await store.close().catch(() => undefined);
  });

  it('20 services over 14 months: 2 + 14 reads, not 20 × 16, and each service keeps its own windows', async () => {
    const report: UptimeReport = await uptime.service.report(LONG, AT);
    // The state, the one-record archive, and one record per month.
    expect(counted.reads()).toBe(2 + 14);
    const excused = Object.fromEntries(report.services.map((s) => [s.service, s.maintenance.map((m) => m.reason)]));
    const moved = 'datacentre move';
    expect(excused).toEqual({
      ...Object.fromEntries(SERVICES.map((s) => [s, [moved]])),
      s01: [moved, 'storage upgrade', 'failover'],
      s02: [moved, 'storage upgrade'],
      s03: [moved, 'clock change'],
    });
    expect(report.services[0]!.maintenance).toEqual([
      { start: '2025-11-10T22:00:00Z', end: '2025-11-11T02:00:00Z', reason: moved },
      { start: '2026-05-31T22:00:00Z', end: '2026-06-01T03:00:00Z', reason: 'storage upgrade' },
      { start: '2026-10-20T10:00:00Z', end: '2026-10-20T11:00:00Z', reason: 'failover' },
    ]);
    expect(report.services[0]!.maintenanceSeconds).toBe((4 + 5 + 1) * 3600);

    // A month's report: 3 reads, for the same 20 services.
    const june = await uptime.service.report({ team: 'payments', month: '2026-06' }, AT);
    expect(counted.reads()).toBe(2 + 14 + 3);
    expect(june.services.slice(0, 3).map((s) => s.maintenance)).toEqual([
      [{ start: '2026-06-01T00:00:00Z', end: '2026-06-01T03:00:00Z', reason: 'storage upgrade' }],
      [{ start: '2026-06-01T00:00:00Z', end: '2026-06-01T03:00:00Z', reason: 'storage upgrade' }],
      [],
    ]);
  });

  it('a store that cannot be read fails the report as unavailable, after one read of its records', async () => {
    await store.close();
    const queried = thanos.requests.length;
    const failed = await uptime.service.report(LONG, AT).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(UptimeError);
    expect(failed).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/^the store \(DATABASE_URL\) cannot be read/) });
    expect(counted.reads()).toBe(2 + 14);
    // No service was computed without its windows.
    expect(thanos.requests.length).toBe(queried);
  });
});
