/**
 * The webhook's log during a store outage, as an operator reads it: a real gateway whose
 * PostgreSQL is reached through a loopback proxy that is stopped (the server gone) and later
 * started again on the same port. Alertmanager retries every group answered 503, so one line per
 * request (each naming its group) flooded the log for the whole outage. Now the first refusal of
 * each cause is logged in full; then, per cause, one line per 30 s (the gateway's outage-log
 * clock, moved on by the test) with the refusals left out meanwhile (`suppressed`), how many
 * distinct groups they were (`groups`) and the groups no line had named yet (`groupKeys`); every
 * refusal at debug; and one info line once webhooks have been stored again for 30 s with none
 * refused, with the outage's totals: when those 30 s have passed (the outage-log timer, fired by
 * the test on its clock), not at the next webhook, which on a quiet gateway may come hours later. The lines are checked for the refused connections' cause: a
 * pooled connection the stop cut may fail the first webhook with another ('Connection
 * terminated'), so webhooks are sent until one finds its connection refused.
 */
import { describe, expect, it } from 'vitest';
import { requirePostgres } from '../src/testing/postgres.js';
import type { LogLine } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { useProxiedPostgresGateway } from './support/proxied-gateway.js';

const admin = await requirePostgres();
const STORE_FAILED = 'could not store webhook; answering 503 so Alertmanager retries';
const RECOVERED = 'storing webhooks works again (Alertmanager resends the groups refused meanwhile); recovered';
const groupKey = (name: string) => `{}:{alertname="${name}"}`;
const group = (name: string) => webhook(groupKey(name), [{ labels: { alertname: name, team: 'payments' } }]);
const refusedConnection = (l: LogLine) => ((l.err as { message?: string } | undefined)?.message ?? '').includes('ECONNREFUSED');

describe.skipIf(!admin)('webhooks refused while PostgreSQL is unreachable', () => {
  let clock = 0;
  /** The outage-log timers, on `clock`: `advance` moves it on and fires those due. */
  const timers: Array<{ at: number; fire: () => void; cleared: boolean }> = [];
  const pending = () => timers.filter((t) => !t.cleared).length;
  const advance = (ms: number) => {
    clock += ms;
    for (const t of timers.filter((x) => !x.cleared && x.at <= clock)) {
      t.cleared = true;
      t.fire();
    }
  };
  const g = useProxiedPostgresGateway(admin!, {
    outageLogNow: () => clock,
    outageLogTimer: (ms, fire) => {
      const t = { at: clock + ms, fire, cleared: false };
      timers.push(t);
      return () => void (t.cleared = true);
    },
  });

  it('logs the first refusal in full, then one line per 30 s counting and naming the refused groups, and the recovery with the totals', async () => {
    const { t } = g;
    expect((await t.post(group('BeforeOutage'))).status).toBe(202);
    const from = t.logs.length;
    const storeLines = () =>
      t.logs
        .slice(from)
        .map((l) => JSON.parse(l) as LogLine)
        .filter((l) => typeof l.msg === 'string' && l.msg.startsWith(STORE_FAILED));
    // The lines of refused connections: a pooled connection the stop cut may fail a first webhook
    // with another cause ('Connection terminated'), a streak line of its own.
    const refusedLines = () => storeLines().filter(refusedConnection);

    await g.proxy.stop();
    const refuse = async (...names: string[]) => {
      for (const name of names) expect((await t.post(group(name))).status, name).toBe(503);
    };
    // Until a webhook finds its connection refused: the pool then has no connection left the
    // stop cut (it opens a new one only with none idle), and every refusal below has that cause.
    let warmups = 0;
    while (refusedLines().length === 0) {
      expect(warmups++, 'webhooks until one finds its connection refused').toBeLessThan(20);
      await refuse('Warmup');
    }
    const [first] = refusedLines();
    expect(first).toMatchObject({ level: 'error', msg: STORE_FAILED, groupKey: groupKey('Warmup') });
    expect(first).not.toHaveProperty('suppressed');

    await refuse('A', 'B', 'A', 'C');
    // Within the same 30 s (the clock stands still): at debug only, each naming its group.
    expect(refusedLines().slice(1).map((l) => [l.level, l.groupKey, l.failures])).toEqual([
      ['debug', groupKey('A'), warmups + 1],
      ['debug', groupKey('B'), warmups + 2],
      ['debug', groupKey('A'), warmups + 3],
      ['debug', groupKey('C'), warmups + 4],
    ]);

    advance(30_000);
    await refuse('D');
    // D in full, and the four left out: three distinct groups, none named yet.
    expect(refusedLines().at(-1)).toMatchObject({ level: 'error', msg: STORE_FAILED, groupKey: groupKey('D'), suppressed: 4, groups: 3, groupKeys: [groupKey('A'), groupKey('B'), groupKey('C')], failures: warmups + 5, failingForSeconds: 30 });

    await refuse('E', 'B');
    advance(30_000);
    await refuse('F');
    // B was named by the line before: only E is new.
    expect(refusedLines().at(-1)).toMatchObject({ level: 'error', groupKey: groupKey('F'), suppressed: 2, groups: 2, groupKeys: [groupKey('E')], failures: warmups + 8, failingForSeconds: 60 });

    await g.reopen();
    expect((await t.post(group('AfterOutage'))).status).toBe(202);
    // Stored again, but a store that fails now and then is one outage: it ends 30 s without a refusal later.
    const isRecovered = (l: LogLine) => typeof l.msg === 'string' && l.msg.startsWith(RECOVERED);
    advance(29_000);
    expect((await t.post(group('StillQuiet'))).status).toBe(202);
    expect(t.logs.slice(from).some((l) => isRecovered(JSON.parse(l) as LogLine))).toBe(false);
    // No webhook comes after (a quiet night): the line comes when the 30 s have passed.
    advance(1_000);
    const recovered = await t.waitForLog(isRecovered, 2_000);
    expect(pending()).toBe(0);
    // Every refusal, of seven groups (Warmup, A to F), each named by a line at error; failing until the first webhook stored.
    expect(recovered).toMatchObject({ level: 'info', msg: `${RECOVERED} after 60 s`, failures: warmups + 8, failedForSeconds: 60, groups: 7, groupsNotNamed: 0 });

    // What an operator at LOG_LEVEL=info saw of the refused connections: three lines, then the recovery.
    expect(refusedLines().filter((l) => l.level !== 'debug')).toHaveLength(3);
    expect(refusedLines().filter((l) => l.level === 'debug')).toHaveLength(6);
  });

  it('a shutdown within the 30 s clears the recovery timer: no line after it', async () => {
    const { t } = g;
    await g.proxy.stop();
    expect((await t.post(group('Refused'))).status).toBe(503);
    await g.reopen();
    expect((await t.post(group('StoredAgain'))).status).toBe(202);
    expect(pending()).toBe(1);
    await t.close();
    expect(pending()).toBe(0);
    expect(t.logs.filter((l) => (JSON.parse(l) as LogLine).msg === `${RECOVERED} after 0 s`)).toEqual([]);
  });
});
