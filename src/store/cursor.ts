/**
 * @module store/cursor
 * Opaque paging cursors, shared by every store implementation: base64url of a small JSON tuple naming the last item of a page.
 * A cursor is tagged with its list, so one list's cursor is rejected by another.
 */

/**
 * A cursor that was not produced by this store (bad input: the HTTP layer answers 400), with
 * `detail` for the client when more is known than that (a cursor of an earlier release).
 */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(readonly detail?: string) {
    super(detail ?? 'invalid cursor');
  }
}

export interface NotificationCursor {
  id: number;
}

export function encodeNotificationCursor(c: NotificationCursor): string {
  return encode(['n', c.id]);
}

export function decodeNotificationCursor(cursor: string): NotificationCursor {
  const v = decode(cursor);
  if (v.length === 2 && v[0] === 'n' && Number.isSafeInteger(v[1])) return { id: v[1] as number };
  throw new InvalidCursorError();
}

/**
 * The last alert of a page, in the lists' order: when the alert was first stored (`createdAt`,
 * Unix ms; it never changes, so an alert changing during a walk keeps its place), then its key.
 */
export interface AlertCursor {
  createdAt: number;
  groupId: string;
  fingerprint: string;
}

/** Tag of the alert cursors up to this release, whose position was the alert's last change. */
const ALERT_CURSOR_BY_CHANGE = 'a';
const ALERT_CURSOR = 'ac';

const OLD_ALERT_CURSOR =
  'invalid cursor: it is from an earlier alertgate release, whose alert list was in another order (by last change); read the list again from its first page';

export function encodeAlertCursor(c: AlertCursor): string {
  return encode([ALERT_CURSOR, c.createdAt, c.groupId, c.fingerprint]);
}

export function decodeAlertCursor(cursor: string): AlertCursor {
  const v = decode(cursor);
  const [tag, createdAt, groupId, fingerprint] = v;
  if (v.length === 4 && isTime(createdAt) && typeof groupId === 'string' && typeof fingerprint === 'string') {
    if (tag === ALERT_CURSOR) return { createdAt: createdAt as number, groupId, fingerprint };
    // Its position is a change time: continuing from it in the new order would skip or repeat alerts.
    if (tag === ALERT_CURSOR_BY_CHANGE) throw new InvalidCursorError(OLD_ALERT_CURSOR);
  }
  throw new InvalidCursorError();
}

/** The last maintenance window of a page (GET /v1/maintenance; windows live in team state, not a table). */
export interface MaintenanceCursor {
  createdAt: string;
  id: string;
}

export function encodeMaintenanceCursor(c: MaintenanceCursor): string {
  return encode(['m', c.createdAt, c.id]);
}

export function decodeMaintenanceCursor(cursor: string): MaintenanceCursor {
  const v = decode(cursor);
  const [tag, createdAt, id] = v;
  if (v.length === 3 && tag === 'm' && typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  throw new InvalidCursorError();
}

/** Unix ms a date can hold (PostgreSQL rejected an Invalid Date from a forged cursor with a 500). */
function isTime(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 8.64e15;
}

function encode(tuple: unknown[]): string {
  return Buffer.from(JSON.stringify(tuple), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown[] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // No NUL in a cursor's strings: no id or key holds one, and PostgreSQL text cannot.
    if (Array.isArray(v) && !v.some((x) => typeof x === 'string' && x.includes('\0'))) return v;
  } catch {
    // fall through: not base64url JSON
  }
  throw new InvalidCursorError();
}
