/**
 * `close(cutAfterMs)` at shutdown, on a database that stopped answering (a partition, a failover
 * that moved the address): `pool.end()` alone waits for every query in flight, here until the
 * client's query timeout (and a connection attempt for its connect timeout). The connections
 * still open after `cutAfterMs` are cut instead: the calls waiting on them reject, and a write
 * cut mid-transaction is not committed.
 */
import { describe, expect, it } from 'vitest';
import { outcome, signal, useFrozenPostgres } from '../../testing/frozen-postgres.js';
import { requirePostgres } from '../../testing/postgres.js';
import { SLACK, group, notification } from '../contract/fixtures.case.js';
import { openPostgresStore } from './postgres-store.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('postgres: close with a deadline on a frozen database', () => {
  const pg = useFrozenPostgres(() => admin!);

  it('cuts the connections still busy after cutAfterMs: the calls reject, the write in flight is not committed', async () => {
    const { url, proxied } = await pg.schema('closecut');
    // The query timeout left long (a minute): only the cut can end these calls within the test.
    const frozen = await openPostgresStore(proxied, { queryTimeoutMs: 60_000 });
    const g = group('payments-close-cut');
    const froze = signal();
    // A write frozen mid-transaction (its locks taken, its rows sent into the void), and a read
    // (on an idle connection, or on a new one whose connection attempt is frozen too).
    const write = outcome(
      frozen.updateGroups([g.id], () => {
        pg.proxy.freeze();
        froze.happen();
        return [{ group: g, notifications: [notification(g, SLACK)] }];
      }),
      'committed',
      'failed',
    );
    await froze.happened;
    const read = outcome(frozen.outboxDepth(), 'answered', 'failed');
    await pg.proxy.withheld('INSERT INTO groups');

    const started = Date.now();
    expect(await frozen.close(300)).toBe('cut');
    // Far below the minute either call would otherwise take; 300 ms + the cut, with room for a
    // loaded machine (2 s left a tenfold slowdown a few hundred ms).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await write).toBe('failed');
    expect(await read).toBe('failed');

    const other = await openPostgresStore(url);
    try {
      expect(await other.getGroup(g.id)).toBeUndefined();
    } finally {
      // Nothing in flight: closed within the wait, nothing cut (the shutdown then says nothing).
      expect(await other.close(300)).toBe('closed');
    }
  });
});
