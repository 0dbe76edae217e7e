/**
 * @module store/sqlite/schema-v14
 * Migration 14: a partial index over the suppressed notifications of kind `new` or `resolved`, by
 * (group, target) queue. Such an item is an edge of an episode that did not reach the channel: a
 * `new` a storm digest gathered (or a maintenance window held), a resolution a digest told of (or
 * a duplicate of one). The Slack message a notification edits is its episode's only if no such
 * edge lies between the newest sent item of its queue and it (queries.ts
 * SELECT_EPISODE_SLACK_MESSAGE, read as each non-`new` Slack item is delivered): once history
 * retention deleted the last episode's deliveries, a gathered `new` was all that said the kept
 * message was an earlier episode's. A range of this index, as the dead items' (schema-v11.ts).
 * The suppressed items of other kinds (duplicates within the dedup window, edits folded into a
 * digest or superseded), most of the suppressed ones, get no entry.
 *
 * Building it reads the notifications once; no row is rewritten.
 */
export const SCHEMA_V14 = `
CREATE INDEX notifications_suppressed_edges ON notifications (group_seq, target_key, id) WHERE status = 'suppressed' AND kind IN ('new', 'resolved');
`;
