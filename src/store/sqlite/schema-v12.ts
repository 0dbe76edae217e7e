/**
 * @module store/sqlite/schema-v12
 * Migration 12: `alerts.created_at`, when (Unix ms, the stamp of the group write) the alert was
 * first stored, and the alert list's indexes keyed by it instead of `updated_at`.
 *
 * The list was ordered by each alert's last change, so an alert that changed while a client
 * walked the pages jumped to the top, behind the walk: the walk never saw it. `created_at` never
 * changes while the alert stays in its group, so a walk along `nextCursor` meets every alert
 * that was there when it started exactly once (an alert that leaves its group and comes back is
 * a new row, stamped anew). Alerts stored before this migration take their last change as their
 * creation: the list keeps the order it had, and from now on it holds.
 *
 * Ingest pays less: an alert's change rewrote its entry in all three list indexes (its
 * `updated_at` moved); now only the status index's, and only when the status changes.
 */
export const SCHEMA_V12 = `
ALTER TABLE alerts ADD COLUMN created_at INTEGER;
UPDATE alerts SET created_at = updated_at;
DROP INDEX alerts_by_updated;
DROP INDEX alerts_by_team_updated;
DROP INDEX alerts_by_status_updated;
CREATE INDEX alerts_by_created        ON alerts (created_at);
CREATE INDEX alerts_by_team_created   ON alerts (team, created_at);
CREATE INDEX alerts_by_status_created ON alerts (status, created_at);
`;
