/**
 * @module store/sqlite/schema-v5
 * Migration 5: `notifications_due` keyed by receiver first (the target key up to its ':', i.e.
 * `slack` or `pagerduty`), then claim order. A claim asks each receiver for its oldest due items
 * up to the receiver's room (OUTBOX_RECEIVER_CONCURRENCY): with the old (next_attempt_at, id) key,
 * asking for PagerDuty's items walked past every due Slack item first (a 50,000-item Slack
 * backlog made each such claim read 50,000 index entries). Same rows, same size: nothing else
 * changes.
 */

/** The indexed expression; queries must spell it exactly so for SQLite to use the index. */
export const RECEIVER_OF_TARGET_KEY = (column: string) => `substr(${column}, 1, instr(${column}, ':') - 1)`;

export const SCHEMA_V5 = `
DROP INDEX notifications_due;
CREATE INDEX notifications_due ON notifications (${RECEIVER_OF_TARGET_KEY('target_key')}, next_attempt_at, id) WHERE status IN ('pending', 'failed');
`;
