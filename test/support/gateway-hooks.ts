/**
 * Test harness: the fakes and gateway (test/support/gateway.ts) a test file registers once
 * instead of writing their beforeEach/afterEach (or beforeAll/afterAll) out. `use` receives what
 * was started; the file keeps it in its own `let`s. Hooks a file registers after these run after
 * these start and before they close.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './gateway.js';
import { webhook } from './payloads.js';

/** Receives what was started, e.g. `(started) => ({ fakes, t } = started)`. */
type Use = (started: { fakes: Fakes; t: TestGateway }) => void;

/** Fresh fakes and a gateway on the estate config for every test, closed after it. */
export function withGatewayPerTest(use: Use): void {
  registerGateway(beforeEach, afterEach, use);
}

/** One set of fakes and a gateway on the estate config shared by every test of the file. */
export function withGatewayPerFile(use: Use): void {
  registerGateway(beforeAll, afterAll, use);
}

function registerGateway(before: typeof beforeAll, after: typeof afterAll, use: Use): void {
  let fakes: Fakes | undefined;
  let t: TestGateway | undefined;
  before(async () => {
    fakes = await startFakes();
    t = await startTestGateway(fakes);
    use({ fakes, t });
  });
  after(async () => {
    await t?.close();
    await fakes?.close();
  });
}

/**
 * Fresh fakes for every test, for tests that each start their gateway with settings of their
 * own: the function returned starts it on them (as startTestGateway, without the fakes) and it
 * is closed after the test, before the fakes.
 */
export function withFakesPerTest(use: (fakes: Fakes) => void = () => {}): (extraEnv?: Record<string, string>) => Promise<TestGateway> {
  let fakes: Fakes | undefined;
  let started: TestGateway | undefined;
  beforeEach(async () => {
    fakes = await startFakes();
    use(fakes);
  });
  afterEach(async () => {
    await started?.close();
    started = undefined;
    await fakes?.close();
  });
  return async (extraEnv) => {
    if (!fakes) throw new Error('withFakesPerTest: a gateway can be started only inside a test');
    started = await startTestGateway(fakes, extraEnv);
    return started;
  };
}

/**
 * `count` firing alerts named `${prefix}0`, `${prefix}1`, …, a group each, posted in that order
 * and processed: odd ones for team payments (payments-prod), even ones for the fallback team
 * (kube-system), so lists have pages to turn and a team to filter by.
 */
export async function postAlertsOfTwoTeams(t: TestGateway, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const alertname = `${prefix}${i}`;
    await t.post(webhook(`{}:{alertname="${alertname}"}`, [{ labels: { alertname, namespace: i % 2 ? 'payments-prod' : 'kube-system' } }]));
  }
  await t.idle();
}
