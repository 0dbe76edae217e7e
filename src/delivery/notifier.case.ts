/**
 * @module delivery/notifier.case
 * The shared test kit every notifier's test calls (after Alertmanager's notify/test
 * `RetryTests` and `AssertNotifyLeaksNoSecret`): one contract, many integrations.
 * - retries behave alike: 2xx ok; 5xx, network errors and timeouts retryable; 429 retryable
 *   with `retryAfterMs` from Retry-After; other 4xx final;
 * - the secret (token, routing key) never appears in an error text or a log line, even when
 *   the server echoes it back.
 * Also exports small builders for alerts, snapshots and deliveries.
 *
 * @example
 * runNotifierCases('slack', async () => { const fake = await startFakeSlack(); … return harness; });
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../model/alert.js';
import type { GroupSnapshot } from '../model/group.js';
import type { Target } from '../model/target.js';
import type { BaseStep } from '../testing/http-fake.js';
import type { DeliveryLogger } from './log-sink.js';
import type { Delivery, Notifier, NotifyResult } from './notifier.js';

export interface CapturedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

/** A DeliveryLogger that keeps every line, for assertions. */
export function captureLogger(): { logger: DeliveryLogger; lines: CapturedLog[]; text(): string } {
  const lines: CapturedLog[] = [];
  const at =
    (level: CapturedLog['level']) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    lines,
    text: () => lines.map((l) => JSON.stringify({ level: l.level, ...l.obj, msg: l.msg })).join('\n'),
  };
}

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'a1b2c3d4e5f60718',
    status: 'firing',
    labels: { alertname: 'KubePodCrashLooping', team: 'payments', severity: 'critical', namespace: 'payments-prod', pod: 'checkout-7d9f-abcde' },
    annotations: { summary: 'Pod is crash looping', runbook_url: 'https://runbooks.example/crashloop' },
    startsAt: '2026-10-01T09:00:00Z',
    endsAt: null,
    generatorURL: 'http://prometheus.example/graph?g0.expr=up',
    ...overrides,
  };
}

export function makeSnapshot(overrides: Partial<GroupSnapshot> = {}): GroupSnapshot {
  const alerts = overrides.alerts ?? [makeAlert()];
  return {
    groupId: 'g-0001',
    team: 'payments',
    groupKey: '{}:{alertname="KubePodCrashLooping"}',
    receiver: 'alertgate',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupLabels: { alertname: 'KubePodCrashLooping' },
    commonLabels: { alertname: 'KubePodCrashLooping', team: 'payments', severity: 'critical', namespace: 'payments-prod' },
    commonAnnotations: { summary: 'Pod is crash looping', runbook_url: 'https://runbooks.example/crashloop' },
    externalURL: 'http://alertmanager.example:9093',
    alerts,
    change: { kind: 'new', added: alerts.map((a) => a.fingerprint), resolved: [] },
    dedupKey: 'alertgate-payments-0123456789abcdef',
    ...overrides,
  };
}

export function makeDelivery(target: Target, overrides: Partial<Delivery> = {}): Delivery {
  return { id: 42, target, group: makeSnapshot(), ...overrides };
}

/** What an integration's test provides to the kit: a notifier wired to a scriptable fake. */
export interface NotifierHarness {
  notifier: Notifier;
  /** A delivery the notifier can send successfully when the fake answers normally. */
  delivery: Delivery;
  /** Must never appear in errors or logs. */
  secret: string;
  /** The logger the notifier writes to. */
  logs: ReturnType<typeof captureLogger>;
  /** The client timeout the notifier was built with (the kit waits longer in a `hang`). */
  timeoutMs: number;
  /** Scripts the fake's next answers, one per request. */
  respondWith(plan: BaseStep[]): void;
  /** Resolves when the fake has received its `n`-th request in total. */
  waitForRequests(n: number): Promise<void>;
  /** Stops the fake (idempotent): later calls meet a refused connection. */
  close(): Promise<void>;
}

function expectFailure(result: NotifyResult): Extract<NotifyResult, { ok: false }> {
  expect(result.ok, `expected a failure, got ${JSON.stringify(result)}`).toBe(false);
  return result as Extract<NotifyResult, { ok: false }>;
}

/**
 * Registers the shared suite. `setup` builds a fresh harness per test; the kit closes it.
 * Build the notifier with a short `timeoutMs` (≈500–1500 ms): one test waits for it.
 */
export function runNotifierCases(name: string, setup: () => Promise<NotifierHarness>): void {
  describe(`${name}: shared notifier contract`, () => {
    let h: NotifierHarness | undefined;
    const start = async (): Promise<NotifierHarness> => {
      h = await setup();
      return h;
    };
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('answers ok when the API accepts the call (2xx)', async () => {
      const { notifier, delivery } = await start();
      expect(await notifier.notify(delivery)).toMatchObject({ ok: true });
    });

    it.each([500, 502, 503])('HTTP %i is retryable', async (status) => {
      const { notifier, delivery, respondWith } = await start();
      respondWith([{ status, body: 'upstream trouble' }]);
      const failure = expectFailure(await notifier.notify(delivery));
      expect(failure.retryable).toBe(true);
      expect(failure.error).toContain(String(status));
    });

    it('HTTP 429 is retryable after the Retry-After the server asked for', async () => {
      const { notifier, delivery, respondWith } = await start();
      respondWith([{ status: 429, headers: { 'retry-after': '7' }, body: '' }]);
      const failure = expectFailure(await notifier.notify(delivery));
      expect(failure).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    });

    it.each([400, 403, 404])('HTTP %i is final', async (status) => {
      const { notifier, delivery, respondWith } = await start();
      respondWith([{ status, body: 'no' }]);
      const failure = expectFailure(await notifier.notify(delivery));
      expect(failure.retryable).toBe(false);
      expect(failure.error).toContain(String(status));
    });

    it('a reset connection is retryable', async () => {
      const { notifier, delivery, respondWith } = await start();
      respondWith([{ reset: true }]);
      expect(expectFailure(await notifier.notify(delivery)).retryable).toBe(true);
    });

    it('a refused connection is retryable', async () => {
      const harness = await start();
      await harness.close();
      expect(expectFailure(await harness.notifier.notify(harness.delivery)).retryable).toBe(true);
    });

    it('a server that never answers times out as retryable', async () => {
      const { notifier, delivery, respondWith, timeoutMs } = await start();
      respondWith([{ hang: true }]);
      const began = Date.now();
      const failure = expectFailure(await notifier.notify(delivery));
      expect(failure.retryable).toBe(true);
      expect(failure.error).toMatch(/timed out/);
      expect(Date.now() - began).toBeGreaterThanOrEqual(timeoutMs - 50);
    });

    it("the caller's AbortSignal ends a call in flight, retryable", async () => {
      const { notifier, delivery, respondWith, waitForRequests, timeoutMs } = await start();
      respondWith([{ hang: true }]);
      const controller = new AbortController();
      const began = Date.now();
      const pending = notifier.notify(delivery, controller.signal);
      await waitForRequests(1);
      controller.abort();
      const failure = expectFailure(await pending);
      expect(failure.retryable).toBe(true);
      expect(failure.error).toMatch(/abort/);
      expect(Date.now() - began).toBeLessThan(timeoutMs);
    });

    it('recovers after failures: the next call succeeds', async () => {
      const { notifier, delivery, respondWith } = await start();
      respondWith([{ status: 500 }, { reset: true }]);
      expect((await notifier.notify(delivery)).ok).toBe(false);
      expect((await notifier.notify(delivery)).ok).toBe(false);
      expect((await notifier.notify(delivery)).ok).toBe(true);
    });

    it('never leaks the secret into errors or logs, even when the server echoes it', async () => {
      const harness = await start();
      const { notifier, delivery, respondWith, secret, logs } = harness;
      const echo = { message: `invalid key ${secret}`, errors: [`routing key ${secret} unknown`] };
      respondWith([
        { status: 400, body: echo },
        { status: 500, body: `internal error for ${secret}` },
        { status: 429, headers: { 'retry-after': '1' }, body: echo },
        { status: 403, body: `token ${secret} revoked` },
        // Answers that are not a plain error: a proxy's 2xx page, Slack's ok:false in a 401 and in
        // a 200 (its fields quoted in the error), a redirect whose Location names the secret.
        { status: 200, headers: { 'content-type': 'text/html' }, body: `<html>proxy says ${secret}</html>` },
        { status: 401, body: { ok: false, error: `invalid_auth ${secret}`, warning: secret } },
        { status: 200, body: { ok: false, error: `invalid_auth ${secret}`, warning: secret, response_metadata: { messages: [secret] } } },
        { status: 302, headers: { location: `https://login.example/?token=${secret}` }, body: `see ${secret}` },
        { reset: true },
        { hang: true },
      ]);
      const errors: string[] = [];
      for (let i = 0; i < 11; i++) {
        const result = await notifier.notify(delivery);
        if (!result.ok) errors.push(result.error);
      }
      await harness.close();
      const refused = await notifier.notify(delivery);
      if (!refused.ok) errors.push(refused.error);

      expect(errors.length).toBeGreaterThanOrEqual(7);
      for (const error of errors) expect(error).not.toContain(secret);
      expect(logs.lines.length).toBeGreaterThan(0);
      expect(logs.text()).not.toContain(secret);
    });
  });
}
