/**
 * @module store/postgres/schema-v2
 * Migration 2: the due-items index keyed by receiver first (the target key up to its ':', i.e.
 * `slack` or `pagerduty`), then claim order, so that a claim reading one receiver's oldest items
 * (up to its room, OUTBOX_RECEIVER_CONCURRENCY) does not walk past the other receiver's backlog.
 */
export const SCHEMA_V2 = `
CREATE INDEX notifications_due_by_receiver ON notifications (split_part(target_key, ':', 1), next_attempt_at, id)
  WHERE status IN ('pending', 'failed');
DROP INDEX notifications_due;
`;
