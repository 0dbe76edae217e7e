/**
 * The webhook's log during a store outage, as an operator reads it: a real gateway whose
 * PostgreSQL is reached through a loopback proxy that is stopped (the server gone) and later
 * started again on the same port. Alertmanager retries every group answered 503, so one line per
 * request (each naming its group) flooded the log for the whole outage. Now the first refusal of
 * each cause is logged in full; then, per cause, one line per 30 s (the gateway's outage-log
 * clock, moved on by the test) with the refusals left out meanwhile (`suppressed`), how many
 * distinct groups they were (`groups`) and the groups no line had named yet (`groupKeys`); every
 * refusal at debug; and one info line once webhooks have been stored again for 30 s with none
 * refused, with the outage's totals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../src/testing/postgres-proxy.js';
import { startFakes, startTestGateway, type Fakes, type LogLine, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

const admin = await requirePostgres();
const STORE_FAILED = 'could not store webhook; answering 503 so Alertmanager retries';
const RECOVERED = 'storing webhooks works again (Alertmanager resends the groups refused meanwhile); recovered';
const groupKey = (name: string) => `{}:{alertname="${name}"}`;
const group = (name: string) => webhook(groupKey(name), [{ labels: { alertname: name, team: 'payments' } }]);

describe.skipIf(!admin)('webhooks refused while PostgreSQL is unreachable', () => {
  let db: TestDatabase;
  let fakes: Fakes;
  let proxy: PostgresProxy;
  let t: TestGateway;
  let clock = 0;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    fakes = await startFakes();
    proxy = await startPostgresProxy(db.url);
    t = await startTestGateway(fakes, { DATABASE_URL: throughProxy(db.url, proxy) }, { outageLogNow: () => clock });
  });
  afterAll(async () => {
    await proxy?.stop();
    await t?.close().catch(() => undefined);
    await fakes?.close();
    await db?.drop();
  });

  it('logs the first refusal in full, then one line per 30 s counting and naming the refused groups, and the recovery with the totals', async () => {
    expect((await t.post(group('BeforeOutage'))).status).toBe(202);
    const port = proxy.port;
    const from = t.logs.length;
    const storeLines = () =>
      t.logs
        .slice(from)
        .map((l) => JSON.parse(l) as LogLine)
        .filter((l) => typeof l.msg === 'string' && l.msg.startsWith(STORE_FAILED));

    await proxy.stop();
    const refuse = async (...names: string[]) => {
      for (const name of names) expect((await t.post(group(name))).status, name).toBe(503);
    };
    await refuse('A', 'B', 'A', 'C');
    const [first] = storeLines();
    expect(first).toMatchObject({ level: 'error', msg: STORE_FAILED, groupKey: groupKey('A'), err: { message: expect.stringContaining('ECONNREFUSED') } });
    expect(first).not.toHaveProperty('suppressed');
    // The other three within the same 30 s (the clock stands still): at debug only, each naming its group.
    expect(storeLines().slice(1).map((l) => [l.level, l.groupKey, l.failures])).toEqual([
      ['debug', groupKey('B'), 2],
      ['debug', groupKey('A'), 3],
      ['debug', groupKey('C'), 4],
    ]);

    clock += 30_000;
    await refuse('D');
    // D in full, and the three left out: three distinct groups, of which B and C had not been named.
    expect(storeLines().at(-1)).toMatchObject({ level: 'error', msg: STORE_FAILED, groupKey: groupKey('D'), suppressed: 3, groups: 3, groupKeys: [groupKey('B'), groupKey('C')], failures: 5, failingForSeconds: 30 });

    await refuse('E', 'B');
    clock += 30_000;
    await refuse('F');
    // B was named by the line before: only E is new.
    expect(storeLines().at(-1)).toMatchObject({ level: 'error', groupKey: groupKey('F'), suppressed: 2, groups: 2, groupKeys: [groupKey('E')], failures: 8, failingForSeconds: 60 });

    proxy = await startPostgresProxy(db.url, port);
    expect((await t.post(group('AfterOutage'))).status).toBe(202);
    // Stored again, but a store that fails now and then is one outage: it ends 30 s without a refusal later.
    const isRecovered = (l: LogLine) => typeof l.msg === 'string' && l.msg.startsWith(RECOVERED);
    clock += 29_000;
    expect((await t.post(group('StillQuiet'))).status).toBe(202);
    expect(t.logs.slice(from).some((l) => isRecovered(JSON.parse(l) as LogLine))).toBe(false);
    clock += 1_000;
    expect((await t.post(group('QuietLongEnough'))).status).toBe(202);
    const recovered = await t.waitForLog(isRecovered);
    // Eight refusals of six groups (A to F), every one of them named by a line at error; failing until the first webhook stored.
    expect(recovered).toMatchObject({ level: 'info', msg: `${RECOVERED} after 60 s`, failures: 8, failedForSeconds: 60, groups: 6, groupsNotNamed: 0 });

    // What an operator at LOG_LEVEL=info saw of eight refusals: three lines, then the recovery.
    expect(storeLines().filter((l) => l.level !== 'debug')).toHaveLength(3);
    expect(storeLines().filter((l) => l.level === 'debug')).toHaveLength(5);
  });
});
