/**
 * @module store/sqlite/schema-v6
 * Migration 6: `groups.storm_digests`, the storm digests that gathered a group (JSON, by Slack
 * channel; NULL for a group no digest gathered). Membership used to be kept in the channel's
 * state row, which grew with the storm and which every webhook to the channel rewrote
 * (storm/digest-tally.ts). Adding a nullable column rewrites no row.
 */
export const SCHEMA_V6 = `
ALTER TABLE groups ADD COLUMN storm_digests TEXT;
`;
