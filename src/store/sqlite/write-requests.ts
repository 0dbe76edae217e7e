/**
 * @module store/sqlite/write-requests
 * Every write the SQLite store makes, as a plain-data request: the same requests run on the
 * writer thread (a file database) or inline on the store's own connection (`:memory:`), always
 * through group commit, so both paths share one implementation.
 */
import type { SlackRef } from '../../delivery/notifier.js';
import type { OutcomeWrite } from '../store.js';
import type { GroupCommit } from './group-commit.js';
import { applyGroupPlan, type GroupWritePlan } from './groups.js';
import * as outbox from './outbox.js';
import { pruneStep, type GroupCut, type PruneStepResult } from './retention.js';
import type { NotificationRow } from './rows.js';
import type { Statements } from './statements.js';

export type WriteRequest =
  | { op: 'groups'; plans: GroupWritePlan[]; lease?: outbox.LeaseArgs }
  | ({ op: 'claim' } & outbox.ClaimArgs)
  | { op: 'markSent'; id: number; owner: string; claim: number; sentAtMs: number; slackRef?: SlackRef }
  | { op: 'markFailed'; id: number; owner: string; claim: number; error: string; nextAttemptAtMs: number | null }
  | { op: 'defer'; id: number; owner: string; claim: number; nextAttemptAtMs: number; lastError?: string }
  | { op: 'retryDead'; id: number; nowMs: number }
  | { op: 'releaseLeases'; owner: string }
  /** Runs alone (`submitWrite`): it turns foreign keys off around its own transaction. */
  | { op: 'prune'; seqs: number[]; cut: GroupCut; limit: number };

/** What each request answers. */
export interface WriteResults {
  /** Each plan's new notification ids, and which of them were leased (`lease`). */
  groups: { ids: number[][]; leased: number[] };
  claim: NotificationRow[];
  markSent: OutcomeWrite;
  markFailed: OutcomeWrite;
  defer: OutcomeWrite;
  retryDead: outbox.RetryDeadRow;
  releaseLeases: number;
  prune: PruneStepResult;
}

export type WriteResult<R extends WriteRequest> = WriteResults[R['op']];

/** Queue one request on the writer's group commit: in the shared transaction, or alone. */
export function submitWrite(commit: GroupCommit, s: Statements, req: WriteRequest): Promise<WriteResults[WriteRequest['op']]> {
  return req.op === 'prune' ? commit.runAlone(() => pruneStep(s.retention, req.seqs, req.cut, req.limit)) : commit.run(() => runWrite(s, req));
}

/** Run one request's statements (the caller holds the transaction). */
export function runWrite(s: Statements, req: WriteRequest): WriteResults[WriteRequest['op']] {
  switch (req.op) {
    case 'groups': {
      const ids = req.plans.map((plan) => applyGroupPlan(s, plan));
      return { ids, leased: req.lease ? outbox.leaseInserted(s, req.plans, ids, req.lease) : [] };
    }
    case 'claim':
      return outbox.claimDue(s, req);
    case 'markSent':
      return outbox.markSent(s, req.id, req);
    case 'markFailed':
      return outbox.markFailed(s, req.id, req);
    case 'defer':
      return outbox.defer(s, req.id, req);
    case 'retryDead':
      return outbox.retryDead(s, req.id, req.nowMs);
    case 'releaseLeases':
      return s.releaseLeases.run({ owner: req.owner }).changes;
    case 'prune':
      throw new Error('prune runs alone, outside a shared transaction (submitWrite)');
  }
}
