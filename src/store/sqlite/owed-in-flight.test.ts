/**
 * The SQLite store decides on this thread and commits on its writer's: a group's owed targets
 * (GroupRecord.owedTargets) are read only for a group with no write in flight and while no admin
 * retry is, so two resends taken at once, or a resend next to a retry, pay a dead notification's
 * target once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK, enqueue, group, later, notification, only } from '../contract/fixtures.case.js';
import type { GroupRecord, GroupWrite, Store } from '../store.js';
import { openSqliteStore } from './sqlite-store.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertgate-owed-'));
  store = openSqliteStore(join(dir, 'owed.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The group's Slack post, dead; returns its id. */
async function deadPost(): Promise<number> {
  const g = group('owed', { targets: [SLACK] });
  const [post] = await enqueue(store, g, [notification(g, SLACK)]);
  const claimed = only(await store.claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 30_000 }));
  await store.markFailed(post?.id ?? -1, { claim: claimed.claim, owner: 'w1', error: 'slack: 503', nextAttemptAt: null });
  return post?.id ?? -1;
}

/** As dedup/decide.ts does: the duplicate is notified to an owed target, suppressed otherwise. */
const resend = (current: Map<string, GroupRecord>): GroupWrite[] => {
  const known = current.get('owed')!;
  const owed = known.owedTargets?.includes('slack:#payments-alerts') === true;
  return [{ group: known, notifications: [notification(known, SLACK, owed ? { kind: 'repeat' } : { kind: 'repeat', status: 'suppressed', reason: 'duplicate' })] }];
};

describe('owed targets with writes in flight', () => {
  it('pays the target once when resends are decided while the first is being written', async () => {
    await deadPost();
    const results = await Promise.all([1, 2, 3].map(() => store.updateGroups(['owed'], resend)));
    expect(results.flat().map((n) => n.status)).toEqual(['pending', 'suppressed', 'suppressed']);
  });

  it('owes nothing to a resend decided while an admin retry of the dead notification is being written', async () => {
    const id = await deadPost();
    const [retried, written] = await Promise.all([store.retryDead(id, later()), store.updateGroups(['owed'], resend)]);
    expect(retried.outcome).toBe('requeued');
    expect(written.map((n) => n.status)).toEqual(['suppressed']);
    // And once the retry is written, it has paid the target.
    expect((await store.updateGroups(['owed'], resend)).map((n) => n.status)).toEqual(['suppressed']);
  });
});
