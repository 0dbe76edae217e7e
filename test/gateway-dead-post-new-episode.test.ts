/**
 * A group's resolution posted with no answer (its post may be in the channel) goes dead; the
 * group fires again during a storm, whose digest tells of it; after the storm Alertmanager's
 * resend of the new episode is owed to the channel. The dead resolution's post shows the episode
 * before (RESOLVED): the resend must not adopt it as the group's message (the group would show
 * RESOLVED while it fires), but post the new episode's own message, which later changes edit.
 * Through the real HTTP app, real SQLite, storm control and the outbox; fake Slack (which records
 * the hung post before not answering it) on loopback. The storm window is shortened to 2 s.
 */
import { beforeEach, expect, it } from 'vitest';
import { MAY_HAVE_POSTED } from '../src/model/post-notes.js';
import { firstEpisode, secondEpisode, shows, useEpisodeGateway } from './support/episode-gateway.js';

const { start, checkoutItems, checkoutMessages, post, idle, slack, secondEpisodeGatheredByStorm } = useEpisodeGateway('alertgate-dead-episode-');

// A storm gathers every new group beyond the first of a window; a post with no answer goes dead
// at once (one attempt), noting the post may be there.
beforeEach(() => start({ storm: true, env: { DELIVERY_TIMEOUT_MS: '300' } }));

it("a resend of a new episode that a storm digest told of posts its own message, not adopting the dead resolution's RESOLVED post", async () => {
  // The first episode's post is refused (no message), its resolution's post is made but never answered: dead.
  slack().respondWith([{ slackError: 'channel_not_found' }]);
  await post(firstEpisode('firing'));
  await idle();
  slack().respondWith([{ applyThen: 'hang' }]);
  await post(firstEpisode('resolved'));
  await idle();
  const dead = await checkoutItems();
  expect(dead.map((n) => [n.kind, n.status])).toEqual([
    ['new', 'dead'],
    ['resolved', 'dead'],
  ]);
  expect(dead[1]!.lastError).toContain(MAY_HAVE_POSTED);
  const [resolvedPost] = checkoutMessages();
  expect(checkoutMessages()).toHaveLength(1);
  expect(shows(resolvedPost!)).toContain('RESOLVED');

  // The group fires again in a storm (another group right before it: the window's one message
  // went to the first episode or to it): the digest gathers it, and tells of it.
  await secondEpisodeGatheredByStorm();

  // Alertmanager's resend of the (unchanged) second episode: owed to the channel. It shows the
  // group firing, in a message of its own; the first episode's RESOLVED post stays as it was.
  await post(secondEpisode('firing'));
  await idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'repeat', status: 'sent' });
  const messages = checkoutMessages();
  expect(messages).toHaveLength(2);
  expect(messages[0]).toBe(resolvedPost);
  expect(shows(resolvedPost!)).toContain('RESOLVED');
  expect(resolvedPost!.edits).toBe(0);
  const own = messages[1]!;
  expect(shows(own)).toContain('FIRING');
  expect(shows(own)).not.toContain('RESOLVED');

  // The second episode's resolution edits that message.
  await post(secondEpisode('resolved'));
  await idle();
  expect(checkoutMessages()).toHaveLength(2);
  expect(own.edits).toBe(1);
  expect(shows(own)).toContain('RESOLVED');
  expect(resolvedPost!.edits).toBe(0);
});
