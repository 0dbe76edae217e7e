/**
 * A replica frozen mid-write (stopped, paused, cut off by a partition) while holding a group's
 * locks: the other replicas' writes of that group wait for them in the database. The server ends
 * the frozen transaction once it has been idle long enough; that must come before the waiting
 * writes' own statement timeout, or every webhook of the team answers 503 meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { outcome, signal, useFrozenPostgres } from '../../testing/frozen-postgres.js';
import { requirePostgres } from '../../testing/postgres.js';
import { SLACK, group, notification } from '../contract/fixtures.case.js';
import type { GroupRecord, GroupWrite } from '../store.js';
import { openPostgresStore } from './postgres-store.js';

const admin = await requirePostgres();

/** The server's timeouts, lowered for the test from 30 s and 20 s (the idle one well below); the same on both replicas, as in a deployment. */
const TIMEOUTS = { statementTimeoutMs: 4_000, idleInTransactionTimeoutMs: 1_500 };

describe.skipIf(!admin)('postgres: a replica frozen mid-write', () => {
  const pg = useFrozenPostgres(() => admin!);

  it("lets another replica write the group once the frozen one's transaction is ended, before its own write times out", async () => {
    const { url, proxied } = await pg.schema('frozen');
    const frozenReplica = await openPostgresStore(proxied, TIMEOUTS);
    const other = await openPostgresStore(url, TIMEOUTS);
    try {
      const g = group('payments-checkout');
      const write = (current: Map<string, GroupRecord>): GroupWrite[] => {
        const known = current.get(g.id);
        return [{ group: known ?? g, notifications: [notification(g, SLACK, known ? { kind: 'changed' } : {})] }];
      };
      // The frozen replica has its locks and the group loaded when it stops talking to the database.
      const froze = signal();
      const stuck = outcome(
        frozenReplica.updateGroups([g.id], (current) => {
          pg.proxy.freezeOpen();
          froze.happen();
          return write(current);
        }),
        'committed',
        'failed',
      );
      await froze.happened;

      // The other replica's webhook for the same group: it waits, and then goes through.
      const written = await other.updateGroups([g.id], write);
      expect(written.map((n) => n.kind)).toEqual(['new']);
      expect(await stuck).toBe('failed');
    } finally {
      await Promise.all([frozenReplica.close(), other.close()]);
    }
  });
});
