/**
 * @module log/failure-streak
 * The log lines of something that keeps failing for as long as an outage lasts (the outbox
 * worker's claim, the background passes on a store that does not answer, webhooks the store
 * cannot take, a delivery thread that keeps exiting): an error line when it starts failing, then
 * at most one per `reminderMs` saying how many failures were not logged meanwhile (`suppressed`)
 * and how long it has been failing, and an info line when it works again. One line per attempt
 * (the claim's was twice a second per replica; a webhook's, one per group Alertmanager retries)
 * buried the start and the end of the outage under identical lines. Every attempt is still
 * logged at debug.
 *
 * Three optional refinements, for failures that differ among themselves or come and go:
 * - `causeOf`: failures of another cause (a full disk after a refused connection) get a full
 *   line of their own at once, and reminders of their own; one cause hides no other.
 * - `subjects`: what each failure was about (a webhook's group). Each line names its own, says
 *   how many distinct ones the failures it left out had, and names those of them no line of the
 *   streak has named yet, so every one that keeps failing is named at least once; the recovery
 *   line gives the streak's total.
 * - `quietMs`: the streak ends only once attempts have worked that long with no failure, so a
 *   thing failing now and then is one streak, not an error and a recovery line per failure. The
 *   recovery line is written when that time has passed (a timer), not at the next attempt: with
 *   quiet traffic that came hours later, and an operator watching after an outage saw none.
 */
import type { Logger } from './logger.js';
import { LineThrottle } from './line-throttle.js';
import { sha256Hex } from '../model/sha256.js';

/** At most one error line per failing streak (per cause) this often after its first. */
export const FAILURE_REMINDER_MS = 30_000;
/** Most subjects a reminder names; the others are named by later lines as they fail again. */
export const SUBJECTS_NAMED_PER_LINE = 10;
/**
 * Most distinct subjects counted per cause's line and per streak: past it a count is the cap, with
 * `<count>Capped: true` (at least that many). Memory stays small: a streak keeps a set per cause
 * (up to 21) and two of its own, each at most this many digests (~150 bytes each): ~3.5 MB at
 * worst, where 10,000 were 20–25 MB.
 */
export const SUBJECTS_COUNTED_MAX = 1_000;
/** Most causes with lines of their own per streak; further ones share OTHER_CAUSES. */
const MAX_CAUSES = 20;
const OTHER_CAUSES = '(other causes)';

/** The field names a streak's lines give its subjects, e.g. groupKey, groupKeys, groups, groupsNotNamed. */
export interface SubjectFields {
  /** The failure's own subject, on its lines. */
  one: string;
  /** The subjects a reminder names: of the failures it left out, those no line of the streak named yet. */
  named: string;
  /**
   * How many distinct subjects: the left-out failures' on a reminder, the streak's on the
   * recovery line; at most SUBJECTS_COUNTED_MAX, and then `<count>Capped: true` beside it.
   */
  count: string;
  /** On the recovery line: how many of the streak's (counted) subjects no line named. */
  notNamed: string;
}

export interface FailureStreakOptions {
  logger: Logger;
  /** The error line's message, e.g. 'outbox: could not claim notifications; will retry'. */
  failing: string;
  /** The info line's message when it works again; ` after N s` is added. */
  recovered: string;
  /** Monotonic clock (ms); tests move it on instead of sleeping. Default `performance.now`. */
  now?: () => number;
  reminderMs?: number;
  /** Tells causes apart (e.g. an error's code): each gets its own first line and reminders. Default: one cause. */
  causeOf?: (err: unknown) => string;
  /** Names and counts what the failures were about (see the module). */
  subjects?: SubjectFields;
  /**
   * End the streak only once attempts have worked for this long with no failure in between,
   * instead of at the first attempt that works: for attempts that fail intermittently (one
   * connection of a pool dead, a serialization failure now and then), whose every failure would
   * otherwise be an error line and a "recovered" line. Seen by a timer started at the first
   * attempt that works after a failure (or by the next attempt, whichever comes first); the
   * recovery line then says how long it failed until it first worked again.
   */
  quietMs?: number;
  /** Runs `fire` in `ms` (on the clock of `now`); answers how to clear it. Default: an unref'd setTimeout. Tests pass their own. */
  after?: (ms: number, fire: () => void) => () => void;
}

/** An unref'd timer: a recovery line to come never keeps the process alive. */
function realTimer(ms: number, fire: () => void): () => void {
  const t = setTimeout(fire, ms);
  t.unref();
  return () => clearTimeout(t);
}

/** One failed attempt: what it was about, and fields for its lines (e.g. an exit code). */
export interface FailureDetail {
  subject?: string;
  fields?: Record<string, unknown>;
}

/** Seconds, to a tenth. */
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Distinct subjects, by digest (a group key may be 1,000 characters), at most SUBJECTS_COUNTED_MAX. */
class Distinct {
  readonly #seen = new Set<string>();
  /** A subject was left out: the count is a lower bound. */
  capped = false;
  /** Whether it is counted (now or before). */
  add(digest: string): boolean {
    if (this.#seen.has(digest)) return true;
    if (this.#seen.size >= SUBJECTS_COUNTED_MAX) {
      this.capped = true;
      return false;
    }
    this.#seen.add(digest);
    return true;
  }
  has(digest: string): boolean {
    return this.#seen.has(digest);
  }
  get size(): number {
    return this.#seen.size;
  }
}

/** A cause's failures since its last line. */
interface LeftOut {
  failures: number;
  subjects: Distinct;
  /** Subjects among them no line had named when they failed (at most SUBJECTS_NAMED_PER_LINE), by digest. */
  unnamed: Map<string, string>;
}

interface Streak {
  since: number;
  failures: number;
  /** When the last failure came. */
  lastFailure: number;
  /** When an attempt first worked after the last failure (`quietMs`: the streak is not over yet). */
  workedAt: number | undefined;
  throttle: LineThrottle;
  /** Per cause: what its next line reports as left out. A cause is here once it has had its first line. */
  causes: Map<string, LeftOut>;
  /** The streak's subjects (counted up to the cap). */
  subjects: Distinct;
  /** Those of `subjects` a line named: the recovery's count of those not named is exact for the counted ones. */
  namedCounted: Set<string>;
  /** Subjects past the cap a line named (capped too): not named again by later lines while they fit. */
  namedOther: Distinct;
}

export class FailureStreakLog {
  readonly #o: FailureStreakOptions;
  readonly #now: () => number;
  #streak: Streak | undefined;
  /** Clears the timer of the quiet period under way (`quietMs`), if any. */
  #clearQuietTimer: (() => void) | undefined;

  constructor(o: FailureStreakOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => performance.now());
  }

  /** Failures in a row so far (0 when the last attempt worked). */
  get failures(): number {
    return this.#streak?.failures ?? 0;
  }

  /** An attempt failed with `err`: logged at error if it is its cause's first in the streak or a reminder is due, else at debug. */
  failed(err: unknown, detail: FailureDetail = {}): void {
    const now = this.#now();
    const reminderMs = this.#o.reminderMs ?? FAILURE_REMINDER_MS;
    // Attempts worked for quietMs since the last failure: that streak is over, this one is new.
    if (this.#streak?.workedAt !== undefined && now - this.#streak.lastFailure >= (this.#o.quietMs ?? 0)) this.#end(this.#streak.workedAt);
    // A throttle per streak: the next outage's first failure is logged at once, whenever it comes.
    const streak = (this.#streak ??= {
      since: now,
      failures: 0,
      lastFailure: now,
      workedAt: undefined,
      throttle: new LineThrottle({ now: this.#now, windowMs: reminderMs }),
      causes: new Map(),
      subjects: new Distinct(),
      namedCounted: new Set(),
      namedOther: new Distinct(),
    });
    streak.failures++;
    streak.lastFailure = now;
    streak.workedAt = undefined;
    this.#stopQuietTimer();
    const failingForSeconds = seconds(now - streak.since);
    let cause = this.#o.causeOf?.(err) ?? '';
    if (!streak.causes.has(cause) && streak.causes.size >= MAX_CAUSES) cause = OTHER_CAUSES;
    const digest = detail.subject === undefined ? undefined : sha256Hex(detail.subject);
    if (digest !== undefined) streak.subjects.add(digest);
    const named = (d: string) => streak.namedCounted.has(d) || streak.namedOther.has(d);
    const name = (d: string) => void (streak.subjects.has(d) ? streak.namedCounted.add(d) : streak.namedOther.add(d));
    const names = this.#o.subjects;
    const own = names && detail.subject !== undefined ? { [names.one]: detail.subject } : {};
    const fields = { err, ...detail.fields, ...own };

    const leftOut = streak.causes.get(cause);
    const admitted = streak.throttle.admit(cause, OTHER_CAUSES) !== undefined;
    if (leftOut !== undefined && !admitted) {
      leftOut.failures++;
      if (digest !== undefined) {
        leftOut.subjects.add(digest);
        if (!named(digest) && leftOut.unnamed.size < SUBJECTS_NAMED_PER_LINE) leftOut.unnamed.set(digest, detail.subject!);
      }
      this.#o.logger.debug({ ...fields, failures: streak.failures, failingForSeconds }, `${this.#o.failing} (still failing; logged at error at most every ${seconds(reminderMs)} s)`);
      return;
    }
    streak.causes.set(cause, { failures: 0, subjects: new Distinct(), unnamed: new Map() });
    if (digest !== undefined) name(digest);
    if (leftOut === undefined) {
      // The cause's first line in this streak: the failure in full (and, after another cause's, where the streak stands).
      this.#o.logger.error(streak.failures === 1 ? fields : { ...fields, failures: streak.failures, failingForSeconds }, this.#o.failing);
      return;
    }
    // A reminder: this failure, and those left out since the cause's last line.
    const summary: Record<string, unknown> = { suppressed: leftOut.failures };
    if (names) {
      summary[names.count] = leftOut.subjects.size;
      if (leftOut.subjects.capped) summary[`${names.count}Capped`] = true;
      const unnamed = [...leftOut.unnamed].filter(([d]) => !named(d));
      for (const [d] of unnamed) name(d);
      if (unnamed.length > 0) summary[names.named] = unnamed.map(([, subject]) => subject);
    }
    this.#o.logger.error({ ...fields, ...summary, failures: streak.failures, failingForSeconds }, this.#o.failing);
  }

  /**
   * An attempt worked: ends the streak, if one was going on, with an info line; with `quietMs`,
   * only once attempts have worked that long since the last failure.
   */
  succeeded(): void {
    const streak = this.#streak;
    if (streak === undefined) return;
    const now = this.#now();
    const first = streak.workedAt === undefined;
    streak.workedAt ??= now;
    if (now - streak.lastFailure >= (this.#o.quietMs ?? 0)) this.#end(streak.workedAt);
    else if (first) this.#armQuietTimer(streak);
  }

  /** Clears a pending recovery line's timer (at shutdown): nothing is logged after. */
  stop(): void {
    this.#stopQuietTimer();
  }

  /** The recovery line once `quietMs` have passed since the streak's last failure, if none comes meanwhile. */
  #armQuietTimer(streak: Streak): void {
    const due = streak.lastFailure + (this.#o.quietMs ?? 0);
    this.#clearQuietTimer = (this.#o.after ?? realTimer)(Math.max(1, Math.ceil(due - this.#now())), () => {
      this.#clearQuietTimer = undefined;
      if (this.#streak !== streak || streak.workedAt === undefined) return;
      // A timer may fire a fraction of a millisecond before the clock reaches it: wait the rest.
      if (this.#now() < due) this.#armQuietTimer(streak);
      else this.#end(streak.workedAt);
    });
  }

  #stopQuietTimer(): void {
    this.#clearQuietTimer?.();
    this.#clearQuietTimer = undefined;
  }

  /** The streak's info line: it failed from its first failure until `workedAt`. */
  #end(workedAt: number): void {
    const streak = this.#streak!;
    this.#streak = undefined;
    this.#stopQuietTimer();
    const failedForSeconds = seconds(workedAt - streak.since);
    const names = this.#o.subjects;
    const subjects = names
      ? {
          [names.count]: streak.subjects.size,
          ...(streak.subjects.capped ? { [`${names.count}Capped`]: true } : {}),
          [names.notNamed]: streak.subjects.size - streak.namedCounted.size,
        }
      : {};
    this.#o.logger.info({ failures: streak.failures, failedForSeconds, ...subjects }, `${this.#o.recovered} after ${failedForSeconds} s`);
  }
}

/**
 * An error's cause for `causeOf`: its `code` where it has one (ECONNREFUSED, SQLITE_FULL, a
 * PostgreSQL SQLSTATE), else its name and the start of its message.
 */
export function errorCause(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' || typeof code === 'number' ? `${err.name} ${code}` : `${err.name}: ${err.message.slice(0, 200)}`;
  }
  return String(err).slice(0, 200);
}
