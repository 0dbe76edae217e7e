/**
 * @module store/sqlite/schema-v7
 * Migration 7: `groups.held_until`, the end (Unix ms) of the maintenance window holding a group,
 * NULL for a group no window holds, and a partial index over the held ones for the release pass.
 * The held groups used to be listed in the team's maintenance state row, which grew with every
 * group a window held and which every new hold rewrote whole (maintenance/hold.ts). Adding a
 * nullable column rewrites no row, and the index starts empty.
 */
export const SCHEMA_V7 = `
ALTER TABLE groups ADD COLUMN held_until INTEGER;
CREATE INDEX groups_held ON groups (team, held_until) WHERE held_until IS NOT NULL;
`;
