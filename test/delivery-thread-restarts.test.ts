/**
 * A delivery thread (OUTBOX_THREAD=true) that keeps exiting, as an operator sees it: a real
 * gateway whose real delivery thread is ended again each time it has been replaced. It was
 * restarted every second, with an error line each time, for as long as it kept dying; now the
 * wait doubles from the first to the longest (here 50 ms to 200 ms, 1 s to 30 s in production),
 * back to the first once a thread stays up (`stableMs`), the exits are logged as a streak (the
 * first at error, one line per 30 s of the outage-log clock, moved on by the test, with
 * `suppressed`, every exit at debug, and an info line once a thread stays up), and
 * alertgate_delivery_thread_restarts_total counts every restart. Restarts have no event to
 * await from outside: the test waits for the counter.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DeliveryThread } from '../src/outbox/delivery-thread-host.js';
import { startFakes, startTestGateway, waitUntil, type Fakes, type LogLine, type TestGateway, type TestGatewayOptions } from './support/gateway.js';

const EXITED = 'delivery thread exited; restarting it (its leased notifications are delivered again)';
const RESTARTS = /^alertgate_delivery_thread_restarts_total (\d+)$/m;

let fakes: Fakes;
let t: TestGateway | undefined;
beforeEach(async () => {
  fakes = await startFakes();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  await fakes.close();
});

async function start(opts: TestGatewayOptions) {
  t = await startTestGateway(fakes, { OUTBOX_THREAD: 'true' }, opts);
  const gateway = t;
  const host = t.gw.worker as DeliveryThread;
  const restarts = async () => Number(RESTARTS.exec(await fetch(`${gateway.gw.url}/metrics`).then((r) => r.text()))?.[1]);
  const exitLines = () => gateway.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => typeof l.msg === 'string' && l.msg.startsWith(EXITED));
  /** Ends the thread running now, then waits until it has been replaced (the `n`th restart). */
  const crashAndAwaitRestart = async (n: number) => {
    await host.crash();
    await waitUntil(async () => (await restarts()) === n, 10_000, `restart ${n}`);
  };
  return { gateway, host, restarts, exitLines, crashAndAwaitRestart };
}

it('restarts a thread that keeps exiting ever later, logs its exits as a streak, and counts the restarts', async () => {
  let clock = 0;
  const g = await start({ outageLogNow: () => clock, deliveryThreadRestart: { firstMs: 50, maxMs: 200, stableMs: 600_000 } });
  expect(await g.restarts()).toBe(0);
  for (let n = 1; n <= 4; n++) await g.crashAndAwaitRestart(n);
  // 50, 100, 200, then the longest; the first at error, the others within its 30 s at debug.
  expect(g.exitLines().map((l) => [l.level, l.restartInMs, l.failures])).toEqual([
    ['error', 50, undefined],
    ['debug', 100, 2],
    ['debug', 200, 3],
    ['debug', 200, 4],
  ]);
  // Ended from outside, as a crash without an error: its exit code varies with when (0 while it still loads).
  expect(g.exitLines()[0]).toMatchObject({ code: expect.any(Number), err: { message: 'the delivery thread exited without an uncaught error' } });
  expect(g.exitLines()[0]).not.toHaveProperty('suppressed');

  clock += 30_000;
  await g.crashAndAwaitRestart(5);
  expect(g.exitLines().at(-1)).toMatchObject({ level: 'error', restartInMs: 200, suppressed: 3, failures: 5, failingForSeconds: 30 });
  expect(await g.restarts()).toBe(5);

  // The replacement still delivers.
  const name = 'AfterCrashLoop';
  const body = { receiver: 'alertgate', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: name, namespace: 'payments-prod' }, annotations: {}, startsAt: '2026-11-20T09:00:00.000Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '' }], groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', version: '4', groupKey: `{}:{alertname="${name}"}`, truncatedAlerts: 0 };
  expect((await g.gateway.post(body)).status).toBe(202);
  await g.gateway.idle(20_000);
  expect(fakes.slack.requests.some((r) => JSON.stringify(r.body).includes(name))).toBe(true);
}, 60_000);

it('waits the first delay again, and logs the end of the streak, once a thread stays up', async () => {
  // How long a thread has stayed up is read on the test's clock: it stands still between the
  // crashes (a loaded machine taking seconds between them changes nothing) and is moved on here.
  let clock = 0;
  const g = await start({ outageLogNow: () => clock, deliveryThreadRestart: { firstMs: 50, maxMs: 200, stableMs: 3_000 } });
  await g.crashAndAwaitRestart(1);
  await g.crashAndAwaitRestart(2);
  expect(g.gateway.logs.some((l) => l.includes('delivery thread stays up again'))).toBe(false);
  // This one is left alone: once up 3 s by the clock (from its ready), the streak ends.
  const isRecovered = (l: LogLine) => typeof l.msg === 'string' && l.msg.startsWith('delivery thread stays up again');
  await waitUntil(async () => {
    clock += 100;
    return g.gateway.logs.some((l) => isRecovered(JSON.parse(l) as LogLine));
  }, 10_000, 'the end of the streak');
  const recovered = await g.gateway.waitForLog(isRecovered);
  expect(recovered).toMatchObject({ level: 'info', failures: 2 });
  expect(recovered.msg).toMatch(/^delivery thread stays up again \(3 s since it was ready\); recovered after \d+(\.\d)? s$/);
  await g.crashAndAwaitRestart(3);
  // A new streak: its first exit at error again, after the first delay.
  expect(g.exitLines().map((l) => [l.level, l.restartInMs])).toEqual([
    ['error', 50],
    ['debug', 100],
    ['error', 50],
  ]);
}, 60_000);
