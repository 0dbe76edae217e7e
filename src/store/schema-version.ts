/**
 * @module store/schema-version
 * How a database's schema version compares with this alertgate's, for both backends: one that
 * migrates at open refuses only a newer schema; one opened read-only (`alertgate uptime`) cannot
 * migrate, so it takes exactly this release's schema and says what to do about any other.
 */

/** Throws when `current` is newer than `latest`, or (`exact`: a read-only open) is any other version. */
export function checkSchemaVersion(current: number, latest: number, exact = false): void {
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this alertgate supports (${latest}); upgrade alertgate`);
  }
  if (!exact || current === latest) return;
  if (current === 0) throw new Error('the database holds no alertgate schema (no schema_migrations): is DATABASE_URL the gateway\'s database?');
  throw new Error(
    `database schema version ${current} is older than this alertgate's (${latest}), and a read-only open does not migrate: ` +
      'run the alertgate release that wrote it, or upgrade the gateway (alertgate serve migrates at start) first',
  );
}
