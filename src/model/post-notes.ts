/**
 * @module model/post-notes
 * What a notification's stored `lastError` says about a Slack post that may have been made
 * (delivery/slack/post-lookup.ts reads the channel for it before posting again). The outbox
 * worker writes these notes, the stores write one on a claim that takes over a lease that ran
 * out (LEASE_RAN_OUT), and dedup starts a re-send with one naming a dead notification
 * (deadPostNote): the texts live here so that none of those imports the Slack notifier. They are
 * matched in errors stored by earlier releases too: never change their wording.
 */
/**
 * Added to the error of a failed post that may have posted (and kept on the errors of the
 * attempts after it until a read settles it): the next attempt looks before it posts.
 */
export const MAY_HAVE_POSTED = 'the message may have been posted (no answer came after the request was sent): the retry looks for it before posting again';

/**
 * The error a claim gives a Slack item whose previous lease ran out with no outcome written (its
 * process was killed, or lost the database, during the attempt): that attempt may have posted
 * as well, so it carries the note and the next attempt looks first.
 */
export const LEASE_RAN_OUT = `the previous attempt's lease ran out with no outcome recorded (its process was killed, or lost the database, mid-delivery) — ${MAY_HAVE_POSTED}`;

/** Whether the previous attempt may have posted (its stored error says so). */
export function mayHavePosted(previousError: string | undefined): boolean {
  return previousError !== undefined && previousError.includes(MAY_HAVE_POSTED);
}

/**
 * Whether a dead item of the queue `targetKey` may have left a Slack post behind, which a
 * re-send could adopt (dedup/decide.ts): only then do the stores read its snapshot's content
 * (GroupRecord.owedDead's contentHash).
 */
export function deadPostPossible(targetKey: string, lastError: string | null): boolean {
  return targetKey.startsWith('slack:') && mayHavePosted(lastError ?? undefined);
}

/** Where a note names the earlier notifications whose post the read looks for too: `[… 12 queued 2026-…Z; 15 queued …]`. */
const EARLIER_POSTS = 'earlier notifications whose post is looked for too:';
const EARLIER_POSTS_RE = /\[earlier notifications whose post is looked for too: ([^\]]*)\]/;
/** Names kept at most (the newest): a note does not grow with a chain of dead re-sends. */
const MAX_EARLIER_POSTS = 5;

/** The metadata payloads (calls.ts postMetadata) of the earlier notifications `error` names; none when it names none. */
export function earlierPosts(error: string | null | undefined): { notification_id: string; enqueued_at: string }[] {
  const names = error == null ? undefined : EARLIER_POSTS_RE.exec(error)?.[1];
  if (names === undefined) return [];
  return names.split('; ').flatMap((name) => {
    const m = /^(\d+) queued (\S+)$/.exec(name);
    return m ? [{ notification_id: m[1]!, enqueued_at: m[2]! }] : [];
  });
}

function naming(posts: readonly { notification_id: string; enqueued_at: string }[]): string {
  return ` [${EARLIER_POSTS} ${posts.slice(-MAX_EARLIER_POSTS).map((p) => `${p.notification_id} queued ${p.enqueued_at}`).join('; ')}]`;
}

/**
 * The last error a re-send of a group to an owed Slack target starts with, when the dead
 * notification that owes it (`dead`) may have posted: the note, so the first attempt reads
 * before posting, and the names of that notification and of those its own error named, so the
 * read matches their posts' metadata. Undefined when the dead one cannot have posted.
 */
export function deadPostNote(dead: { id: number; createdAt: string; lastError: string | null }): string | undefined {
  if (!mayHavePosted(dead.lastError ?? undefined)) return undefined;
  const posts = [...earlierPosts(dead.lastError), { notification_id: String(dead.id), enqueued_at: dead.createdAt }];
  return `re-sent after notification ${dead.id} went dead — ${MAY_HAVE_POSTED}${naming(posts)}`;
}

/**
 * `error`, an attempt's, with the names of earlier notifications the item's `previousError`
 * gave, while `error` keeps the note (nothing settled it): else the next attempt read for the
 * item's own post only, and posted again beside the dead one's.
 */
export function carryingEarlierPosts(previousError: string | null | undefined, error: string): string {
  const posts = earlierPosts(previousError);
  if (posts.length === 0 || !mayHavePosted(error) || earlierPosts(error).length > 0) return error;
  return `${error}${naming(posts)}`;
}

