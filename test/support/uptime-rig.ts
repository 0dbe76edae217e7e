/**
 * The rig of an uptime test file: the fixture's real Prometheus (90 days of generated probe
 * samples), the Slack and PagerDuty fakes, and a gateway reading uptime from that Prometheus.
 */
import { afterAll, beforeAll } from 'vitest';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './gateway.js';
import { startUptimeFixture, type UptimeFixture } from './prometheus-uptime-fixture.js';

export interface UptimeRig {
  fx: UptimeFixture;
  fakes: Fakes;
  t: TestGateway;
}

/**
 * Starts the rig before the file's tests and stops it after them; the getter answers inside
 * tests. Without promtool or prometheus (outside CI, see requireBinary) nothing starts and the
 * file's suites skip themselves.
 */
export function useUptimeRig(bins: { promtool: string | undefined; prometheus: string | undefined }): () => UptimeRig {
  let rig: Partial<UptimeRig> = {};
  beforeAll(async () => {
    if (!bins.promtool || !bins.prometheus) return;
    const fx = (rig.fx = await startUptimeFixture({ promtool: bins.promtool, prometheus: bins.prometheus }));
    const fakes = (rig.fakes = await startFakes());
    rig.t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: fx.configDir, THANOS_URL: fx.prometheus.url });
  }, 180_000);
  afterAll(async () => {
    await rig.t?.close();
    await rig.fakes?.close();
    await rig.fx?.stop();
    rig = {};
  });
  return () => {
    const { fx, fakes, t } = rig;
    if (!fx || !fakes || !t) throw new Error('the uptime rig is not started (useUptimeRig runs in beforeAll)');
    return { fx, fakes, t };
  };
}
