/**
 * The Slack notifier against the fake Slack, attempt by attempt as the outbox makes them (each
 * retry is given the error the previous attempt left, as the worker gives the stored lastError):
 * a thread reply that may have posted is looked for in the thread (conversations.replies); a
 * channel routed by name is read by the id the process learnt from an earlier answer, and
 * without one is posted to again (channel_unresolved).
 */
import { afterEach, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../testing/fake-slack.js';
import { captureLogger, makeAlert, makeDelivery, makeSnapshot } from '../notifier.case.js';
import type { Delivery, NotifyResult } from '../notifier.js';
import { createSlackNotifier } from './notifier.js';
import type { PostLookupResult } from './post-lookup.js';
import { MAY_HAVE_POSTED } from '../../model/post-notes.js';

const TIMEOUT_MS = 300;
const byName = { type: 'slack', channel: '#payments-alerts' } as const;
const enqueuedAt = new Date().toISOString();

let fake: FakeSlack;
afterEach(async () => {
  await fake?.close();
});

async function start() {
  fake = await startFakeSlack({ channels: { 'payments-alerts': 'C0PAYMENTS' } });
  const counted: PostLookupResult[] = [];
  const logs = captureLogger();
  const notifier = createSlackNotifier({ token: 'xoxb-test', apiUrl: fake.url, timeoutMs: TIMEOUT_MS, logger: logs.logger, onPostLookup: (r) => counted.push(r) });
  return { notifier, counted, logs };
}

function failed(result: NotifyResult): string {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

const resolved = () =>
  makeSnapshot({ alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })], change: { kind: 'resolved', added: [], resolved: ['a1b2c3d4e5f60718'] } });

it('a thread reply that may have posted is found in the thread on the retry, not replied again', async () => {
  const { notifier, counted } = await start();
  const posted = await notifier.notify(makeDelivery(byName, { id: 1, enqueuedAt }));
  if (!posted.ok || !posted.slackRef) throw new Error('post failed');
  const ref = posted.slackRef;

  // The edit is answered; the reply is made but never answered.
  fake.respondWith(['ok', { applyThen: 'hang' }]);
  const change: Delivery = makeDelivery(byName, { id: 2, enqueuedAt, group: resolved(), slackRef: ref });
  const error = failed(await notifier.notify(change));
  expect(error).toContain(MAY_HAVE_POSTED);

  const retried = await notifier.notify({ ...change, previousError: error });
  expect(retried).toEqual({ ok: true, slackRef: ref });
  expect(fake.messages.get(ref.ts)?.replies).toHaveLength(1);
  expect(fake.requests.slice(3).map((r) => r.method)).toEqual(['chat.update', 'conversations.replies']);
  expect(fake.requests.at(-1)?.body).toMatchObject({ channel: 'C0PAYMENTS', ts: ref.ts, include_all_metadata: 'true' });
  expect(fake.requests.at(-1)?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(counted).toEqual(['found']);
});

it.each([
  ['an HTTP 502 from a proxy in front of Slack', 'bad-gateway'],
  ["Slack's internal_error (Slack: some of the operation may have succeeded)", 'internal-error'],
  ['an ok answer without the message ts', 'no-ts'],
] as const)('a post answered with %s may have posted: the retry finds the message instead of posting again', async (_what, applyThen) => {
  const { notifier, counted } = await start();
  expect((await notifier.notify(makeDelivery(byName, { id: 1, enqueuedAt }))).ok).toBe(true);
  fake.respondWith([{ applyThen }]);
  const second = makeDelivery(byName, { id: 2, enqueuedAt });
  const error = failed(await notifier.notify(second));
  expect(error).toContain(MAY_HAVE_POSTED);
  const retried = await notifier.notify({ ...second, previousError: error });
  expect(retried.ok).toBe(true);
  expect(fake.messages.size).toBe(2);
  expect(counted).toEqual(['found']);
});

it('a channel routed by name is read by the id an earlier post of this process answered', async () => {
  const { notifier, counted } = await start();
  expect((await notifier.notify(makeDelivery(byName, { id: 1, enqueuedAt }))).ok).toBe(true);
  fake.respondWith([{ applyThen: 'reset' }]);
  const second = makeDelivery(byName, { id: 2, enqueuedAt });
  const error = failed(await notifier.notify(second));
  const retried = await notifier.notify({ ...second, previousError: error });
  expect(retried.ok).toBe(true);
  expect(fake.messages.size).toBe(2);
  expect(fake.requests.at(-1)).toMatchObject({ method: 'conversations.history', body: { channel: 'C0PAYMENTS' } });
  expect(counted).toEqual(['found']);
});

it('a channel routed by name whose id the process has not learnt is posted to again, and the next failure still says it may have posted', async () => {
  const { notifier, counted, logs } = await start();
  fake.respondWith([{ applyThen: 'hang' }, { status: 503 }]);
  const delivery = makeDelivery(byName, { id: 1, enqueuedAt });
  const error = failed(await notifier.notify(delivery));
  // Unsettled: a 503 cannot have posted, but the first attempt may have; the marker stays.
  const again = failed(await notifier.notify({ ...delivery, previousError: error }));
  expect(again).toContain(MAY_HAVE_POSTED);
  expect(counted).toEqual(['channel_unresolved']);
  expect(logs.lines.some((l) => (l.obj as { result?: string }).result === 'channel_unresolved')).toBe(true);
  expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.postMessage']);
});

/** A first post that hangs: the retry's delivery, given the error it left. */
async function retryOfUnansweredPost(notifier: Awaited<ReturnType<typeof start>>['notifier'], more: Partial<Delivery> = {}): Promise<Delivery> {
  fake.respondWith([{ applyThen: 'hang' }]);
  const delivery = makeDelivery({ type: 'slack', channel: 'C0PAYMENTS' }, { id: 1, enqueuedAt });
  const error = failed(await notifier.notify(delivery));
  expect(error).toContain(MAY_HAVE_POSTED);
  return { ...delivery, previousError: error, ...more };
}

it.each([
  ['an HTTP 429 with a Retry-After', { status: 429, headers: { 'retry-after': '3' } }, 3_000],
  ["Slack's ratelimited", { slackError: 'ratelimited', headers: { 'retry-after': '2' } }, 2_000],
] as const)('a read answered with %s is not followed by a post: a retryable failure after the Retry-After that keeps the note', async (_what, answer, retryAfterMs) => {
  const { notifier, counted } = await start();
  const retry = await retryOfUnansweredPost(notifier);
  fake.respondWith([answer]);
  const result = await notifier.notify(retry);
  expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs, limitedCall: 'conversations.history' });
  expect(failed(result)).toContain(MAY_HAVE_POSTED);
  expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'conversations.history']);
  expect(counted).toEqual(['deferred']);
  // The next attempt looks again, and finds the first post.
  const again = await notifier.notify({ ...retry, previousError: failed(result) });
  expect(again.ok).toBe(true);
  expect(fake.messages.size).toBe(1);
  expect(counted).toEqual(['deferred', 'found']);
});

it("makes no read that would leave no room for the post before the delivery's deadline: a retryable failure that keeps the note, nothing posted", async () => {
  const { notifier, counted, logs } = await start();
  // Room for one call, not for a read and the post after it.
  const retry = await retryOfUnansweredPost(notifier, { deadlineAt: Date.now() + 2 * TIMEOUT_MS });
  const result = await notifier.notify(retry);
  expect(result).toMatchObject({ ok: false, retryable: true });
  expect(failed(result)).toMatch(/^slack conversations\.history: not read: \d+ ms of the delivery's lease left/);
  expect(failed(result)).toContain(MAY_HAVE_POSTED);
  expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage']);
  expect(counted).toEqual(['deferred']);
  expect(logs.lines.find((l) => (l.obj as { result?: string }).result === 'deferred')).toMatchObject({ level: 'warn' });
  // With the lease's room, the read is made.
  expect((await notifier.notify({ ...retry, deadlineAt: Date.now() + 60_000 })).ok).toBe(true);
  expect(counted).toEqual(['deferred', 'found']);
  expect(fake.messages.size).toBe(1);
});
