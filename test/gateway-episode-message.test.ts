/**
 * A group's first episode has a Slack message of its own (posted, then edited to RESOLVED); the
 * group fires again, and that new episode's first message does not go out: a storm digest
 * gathers it, or its post goes dead. Its first Slack delivery after that (a change after the
 * storm, Alertmanager's resend owed to the channel) must post the new episode's own message, not
 * edit the first episode's RESOLVED one and reply in its thread; later changes edit the new one.
 * Through the real HTTP app, real SQLite, storm control and the outbox; fake Slack on loopback.
 * The storm window is shortened to 2 s.
 */
import { expect, it } from 'vitest';
import { secondEpisode, shows, untouched, useEpisodeGateway } from './support/episode-gateway.js';

// start({ storm }): the payments team gathering every new group beyond the first of a window into
// a digest when `storm`; one attempt, so a refused post goes dead at once.
const { start, checkoutItems, checkoutMessages, post, idle, slack, firstEpisodeMessage, secondEpisodeGatheredByStorm } = useEpisodeGateway('alertgate-episode-message-');

it('a new episode a storm digest gathered posts a message of its own at its first change after the storm, not editing the last episode’s', async () => {
  await start({ storm: true });
  const first = await firstEpisodeMessage();

  // The group fires again in a storm (another group takes the window's one message first): gathered.
  await secondEpisodeGatheredByStorm();

  // It changes after the storm: a message of its own, showing it firing.
  await post(secondEpisode('firing', true));
  await idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'changed', status: 'sent' });
  expect(checkoutMessages()).toHaveLength(2);
  untouched(first);
  const own = checkoutMessages()[1]!;
  expect(shows(own)).toContain('FIRING');
  expect(shows(own)).toContain('checkout-2');

  // Its resolution edits that message.
  await post(secondEpisode('resolved', true));
  await idle();
  expect(checkoutMessages()).toHaveLength(2);
  expect(own.edits).toBe(1);
  expect(shows(own)).toContain('RESOLVED');
  untouched(first);
});

it('an owed resend of a new episode whose post went dead posts a message of its own, not editing the last episode’s', async () => {
  await start({ storm: false });
  const first = await firstEpisodeMessage();

  // The new episode's post is refused: dead, the channel owed.
  slack().respondWith([{ slackError: 'channel_not_found' }]);
  await post(secondEpisode('firing'));
  await idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'new', status: 'dead' });

  // Alertmanager's resend of it: a message of its own, showing it firing.
  await post(secondEpisode('firing'));
  await idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'repeat', status: 'sent' });
  expect(checkoutMessages()).toHaveLength(2);
  untouched(first);
  const own = checkoutMessages()[1]!;
  expect(shows(own)).toContain('FIRING');

  // Its change and its resolution edit that message.
  await post(secondEpisode('firing', true));
  await idle();
  await post(secondEpisode('resolved', true));
  await idle();
  expect(checkoutMessages()).toHaveLength(2);
  expect(own.edits).toBe(2);
  expect(shows(own)).toContain('RESOLVED');
  untouched(first);
});
