/**
 * The outbox worker's log during a PostgreSQL outage, as an operator reads it: a real gateway
 * whose database is reached through a loopback proxy that is stopped (the server gone) and later
 * started again on the same port. Its failed claims were one error line each, twice a second per
 * replica for the whole outage; now the first is an error, then one line per 30 s (the gateway's
 * log clock, moved on by the test) with `suppressed`, each attempt at debug, and an info line
 * when claims work again. Claims back off while they fail (0.5 s doubling to 5 s), so the store
 * answering again is noticed within the longest wait. Attempts are counted by their debug lines.
 */
import { describe, expect, it } from 'vitest';
import { requirePostgres } from '../src/testing/postgres.js';
import { CLAIM_RETRY_MS } from '../src/outbox/worker.js';
import type { LogLine } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { useProxiedPostgresGateway } from './support/proxied-gateway.js';

const admin = await requirePostgres();
const CLAIM_FAILED = 'outbox: could not claim notifications; will retry';
const isClaimLine = (l: LogLine) => typeof l.msg === 'string' && l.msg.startsWith(CLAIM_FAILED);

describe.skipIf(!admin)('the outbox worker while PostgreSQL is unreachable', () => {
  let clock = 0;
  const g = useProxiedPostgresGateway(admin!, { outageLogNow: () => clock });

  it('logs the first failed claim, one reminder per 30 s with suppressed, and the recovery; delivers again within the longest wait', async () => {
    const { t, fakes } = g;
    const before = (name: string) => webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, team: 'payments' } }]);
    expect((await t.post(before('BeforeOutage'))).status).toBe(202);
    await t.idle();
    const linesBefore = t.logs.length;
    const claimLines = () => t.logs.slice(linesBefore).map((l) => JSON.parse(l) as LogLine).filter(isClaimLine);

    await g.proxy.stop();
    const first = await t.waitForLog((l) => l.msg === CLAIM_FAILED && l.level === 'error');
    expect(first).not.toHaveProperty('suppressed');
    // Two more attempts within the same 30 s (the log clock stands still): at debug only.
    await t.waitForLog((l) => isClaimLine(l) && l.level === 'debug' && l.failures === 3);
    clock += 30_000;
    const reminder = await t.waitForLog((l) => l.msg === CLAIM_FAILED && l.level === 'error' && l.suppressed !== undefined);
    expect(reminder).toMatchObject({ suppressed: 2, failures: 4, failingForSeconds: 30 });

    const reopened = performance.now();
    await g.reopen();
    const recovered = await t.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('outbox: claiming notifications works again'), 15_000);
    // The wait after the 4th failure is 4 s; a connection and a claim take far less than a second.
    expect(performance.now() - reopened).toBeLessThan(CLAIM_RETRY_MS.max + 1_000);
    expect(recovered).toMatchObject({ level: 'info', msg: 'outbox: claiming notifications works again; recovered after 30 s', failures: 4, failedForSeconds: 30 });

    // What an operator at LOG_LEVEL=info saw of the outage: two lines, then the recovery.
    const shown = claimLines().filter((l) => l.level !== 'debug');
    expect(shown.map((l) => [l.level, l.suppressed])).toEqual([
      ['error', undefined],
      ['error', 2],
    ]);
    expect(claimLines().filter((l) => l.level === 'debug')).toHaveLength(2);

    expect((await t.post(before('AfterOutage'))).status).toBe(202);
    await t.idle();
    expect([...fakes.slack.messages.values()].filter((m) => m.text.includes('AfterOutage'))).toHaveLength(1);
  });
});
