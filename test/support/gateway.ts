/**
 * Test harness: a real gateway (in-process, real HTTP on 127.0.0.1, real SQLite) wired to fake
 * Slack and fake PagerDuty (HTTPS with a certificate made at test time).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettings } from '../../src/config/env.js';
import { startGateway, type Gateway, type GatewayOptions, type TokenRotation } from '../../src/server.js';
import { startFakePagerDuty, type FakePagerDuty } from '../../src/testing/fake-pagerduty.js';
import { startFakeSlack, type FakeSlack } from '../../src/testing/fake-slack.js';
import { createTestTls, type TestTls } from '../../src/testing/tls.js';

export const ESTATE_DIR = fileURLToPath(new URL('../fixtures/estate', import.meta.url));
export const WEBHOOK_TOKEN = 'test-webhook-token-5f1e';
export const ADMIN_TOKEN = 'test-admin-token-9c2a';
export const SLACK_TOKEN = 'xoxb-test-slack-token';
export const PD_PAYMENTS_KEY = 'pd-routing-key-payments-0123456789';

export interface Fakes {
  slack: FakeSlack;
  pagerduty: FakePagerDuty;
  tls: TestTls;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const tls = await createTestTls();
  const slack = await startFakeSlack();
  const pagerduty = await startFakePagerDuty({ tls });
  return {
    slack,
    pagerduty,
    tls,
    async close() {
      await Promise.all([slack.close(), pagerduty.close()]);
      await tls.cleanup();
    },
  };
}

/** Environment for a gateway talking to the fakes (also used for child processes). */
export function gatewayEnv(fakes: Fakes, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    ALERTGATE_CONFIG_DIR: ESTATE_DIR,
    WEBHOOK_TOKEN,
    ADMIN_TOKEN,
    SLACK_TOKEN,
    SLACK_API_URL: fakes.slack.url,
    PAGERDUTY_EVENTS_URL: fakes.pagerduty.url,
    TEST_PD_PAYMENTS_KEY: PD_PAYMENTS_KEY,
    // Fast retries so failure tests take milliseconds, not minutes.
    DELIVERY_BACKOFF_BASE_MS: '20',
    DELIVERY_BACKOFF_MAX_MS: '200',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** A log line, parsed. */
export type LogLine = Record<string, unknown>;

export interface TestGateway {
  gw: Gateway;
  dir: string;
  logs: string[];
  /**
   * Resolves with the first log line (past or future) matching the predicate; rejects after
   * `timeoutMs`. For lines written after the event the test awaits (a delivery thread's, a
   * background read's, a request's after shutdown), awaited rather than polled for.
   */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  post(body: unknown, init?: { token?: string | null; contentType?: string; raw?: string | Buffer }): Promise<Response>;
  /** Resolves once nothing is waiting in the outbox (bounded). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /**
   * Leave PAGERDUTY_EVENTS_URL out of the environment, as in production, where it is unset (set,
   * it makes pages go to PagerDuty whether or not a routing key resolves). The settings still
   * point at the fake PagerDuty, so no test can reach the real one.
   */
  noPagerDutyUrlEnv?: boolean;
  /** How token files are followed (server.ts TOKEN_ROTATION): a short grace, a test clock. */
  tokenRotation?: Partial<TokenRotation>;
  /** The clock /metrics measures the oldest waiting notification's age with (server.ts). */
  metricsNow?: () => Date;
  /** The clock of the `webhook refused` and `no route for this path` lines' throttles (server.ts). */
  refusalLogNow?: () => number;
  /** The clock of the outage lines: failed claims, webhooks the store refused, delivery thread exits (server.ts outageLogNow). */
  outageLogNow?: () => number;
  /** The timers of the outage lines, on `outageLogNow`'s clock (server.ts outageLogTimer). */
  outageLogTimer?: GatewayOptions['outageLogTimer'];
  /** How a delivery thread that exited is restarted (server.ts deliveryThreadRestart). */
  deliveryThreadRestart?: GatewayOptions['deliveryThreadRestart'];
  /** A config watch faster than CONFIG_RELOAD_INTERVAL takes (1 s at least), so a test sees a poll in milliseconds. */
  configReloadIntervalMs?: number;
}

export async function startTestGateway(fakes: Fakes, extraEnv: Record<string, string> = {}, opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-gw-'));
  const env = gatewayEnv(fakes, { DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, ...extraEnv });
  if (opts.noPagerDutyUrlEnv) delete env.PAGERDUTY_EVENTS_URL;
  const logs: string[] = [];
  const logWaiters = new Set<(line: string) => void>();
  // The gateway's own logger (secrets blanked, as in production), at debug, into `logs`.
  const settings = {
    ...readSettings(env, dir),
    logLevel: 'debug' as const,
    ...(opts.noPagerDutyUrlEnv ? { pagerDutyEventsUrl: fakes.pagerduty.url } : {}),
    ...(opts.configReloadIntervalMs !== undefined ? { configReloadIntervalMs: opts.configReloadIntervalMs } : {}),
  };
  const gw = await startGateway({
    settings,
    env,
    logWrite: (l) => {
      logs.push(l);
      for (const w of logWaiters) w(l);
    },
    pagerDutyCa: fakes.tls.cert,
    pollMs: 50,
    ...(opts.tokenRotation ? { tokenRotation: opts.tokenRotation } : {}),
    ...(opts.metricsNow ? { metricsNow: opts.metricsNow } : {}),
    ...(opts.refusalLogNow ? { refusalLogNow: opts.refusalLogNow } : {}),
    ...(opts.outageLogNow ? { outageLogNow: opts.outageLogNow } : {}),
    ...(opts.outageLogTimer ? { outageLogTimer: opts.outageLogTimer } : {}),
    ...(opts.deliveryThreadRestart ? { deliveryThreadRestart: opts.deliveryThreadRestart } : {}),
  });
  return {
    gw,
    dir,
    logs,
    waitForLog: (predicate, timeoutMs = 10_000) => {
      const seen = logs.find((l) => predicate(JSON.parse(l) as LogLine));
      if (seen !== undefined) return Promise.resolve(JSON.parse(seen) as LogLine);
      return new Promise<LogLine>((resolve, reject) => {
        const done = () => (logWaiters.delete(waiter), clearTimeout(timer));
        // Called from the gateway's logger: a predicate that throws fails the wait, not the gateway.
        const waiter = (l: string) => {
          try {
            const line = JSON.parse(l) as LogLine;
            if (predicate(line)) (done(), resolve(line));
          } catch (err) {
            done();
            reject(err as Error);
          }
        };
        const timer = setTimeout(() => (done(), reject(new Error(`no matching log line within ${timeoutMs} ms; the last ones: ${logs.slice(-5).join('\n')}`))), timeoutMs);
        logWaiters.add(waiter);
      });
    },
    post: (body, init = {}) =>
      fetch(`${gw.url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: {
          'content-type': init.contentType ?? 'application/json',
          ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? WEBHOOK_TOKEN}` }),
        },
        body: (init.raw ?? JSON.stringify(body)) as BodyInit,
      }),
    idle: (timeoutMs = 10_000) => waitUntil(async () => (await gw.store.outboxDepth()) === 0, timeoutMs, 'outbox to drain'),
    async close() {
      await gw.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Bounded wait for a condition that has no event to await (e.g. a count in the store). */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
