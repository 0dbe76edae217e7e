/**
 * Test harness: a gateway serving uptime reports from a Thanos stand-in that has no samples at
 * all, on the uptime fixture's config (test/support/prometheus-uptime-fixture.ts). Reports then
 * show what does not depend on samples: maintenance windows, pages, links, zone names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { noSeries, startFakeThanos } from '../../src/uptime/fake-thanos.case.js';
import { startFakes, startTestGateway, type TestGateway } from './gateway.js';
import { writeConfigDir } from './prometheus-uptime-fixture.js';

export interface UptimeGateway {
  t: TestGateway;
  close(): Promise<void>;
}

/** `rules` replaces the fixture's rules files by team, as `writeConfigDir` takes them. */
export async function startUptimeGateway(rules?: Record<string, string>): Promise<UptimeGateway> {
  const fakes = await startFakes();
  const thanos = await startFakeThanos((_, path) => ({ status: 200, body: noSeries(path) }));
  const configDir = await mkdtemp(join(tmpdir(), 'alertgate-uptime-'));
  await writeConfigDir(configDir, rules);
  const t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url });
  return {
    t,
    async close() {
      await t.close();
      await thanos.close();
      await fakes.close();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/**
 * One uptime gateway for a whole test file: started before its tests, closed after them.
 * `use` receives it once started (a file keeps it in its own `let t`).
 */
export function withUptimeGateway(use: (t: TestGateway) => void, rules?: Record<string, string>): void {
  let gateway: UptimeGateway | undefined;
  beforeAll(async () => {
    gateway = await startUptimeGateway(rules);
    use(gateway.t);
  });
  afterAll(async () => {
    await gateway?.close();
  });
}
