/**
 * @module store/schema-version
 * How a database's schema version compares with this alertgate's, for both backends: one that
 * migrates at open refuses only a newer schema; one opened read-only (`alertgate uptime`) cannot
 * migrate, so it takes the versions whose tables it reads have the shape this release reads
 * (from the backend's `OLDEST_READ_ONLY_VERSION` up to this release's) and says what to do about
 * any other. A newer schema is never read: it may have changed those tables.
 */

/** The versions a read-only open reads: from `oldest` (the migration that last changed what it reads) to `latest`. */
export interface ReadableVersions {
  oldest: number;
  latest: number;
}

/** Throws when `current` is newer than `latest` (a schema this release does not know). */
export function checkSchemaVersion(current: number, latest: number): void {
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this alertgate supports (${latest}); upgrade alertgate`);
  }
}

/** Throws unless `current` is one of `versions`: a read-only open neither migrates an older schema nor reads a newer one. */
export function checkReadableSchemaVersion(current: number, versions: ReadableVersions): void {
  checkSchemaVersion(current, versions.latest);
  if (current >= versions.oldest) return;
  if (current === 0) throw new Error('the database holds no alertgate schema (no schema_migrations): is DATABASE_URL the gateway\'s database?');
  throw new Error(
    `database schema version ${current} is older than this alertgate reads (${versions.oldest} to ${versions.latest}), and a read-only open does not migrate: ` +
      'run the alertgate release that wrote it, or upgrade the gateway (alertgate serve migrates at start) first',
  );
}
