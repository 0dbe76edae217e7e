import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../testing/fake-slack.js';
import { captureLogger, makeAlert, makeDelivery, makeSnapshot, runNotifierCases } from '../notifier.case.js';
import type { Delivery } from '../notifier.js';
import { createSlackNotifier } from './notifier.js';

const TOKEN = 'xoxb-0000000000-secret-token-value';
const TIMEOUT_MS = 800;
const target = { type: 'slack', channel: '#payments-alerts' } as const;

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

runNotifierCases('slack', async () => {
  const fake = await startFakeSlack({ token: TOKEN });
  const logs = captureLogger();
  return {
    notifier: createSlackNotifier({ token: TOKEN, apiUrl: fake.url, logger: logs.logger, timeoutMs: TIMEOUT_MS }),
    delivery: makeDelivery(target),
    secret: TOKEN,
    logs,
    timeoutMs: TIMEOUT_MS,
    respondWith: (plan) => fake.respondWith(plan),
    waitForRequests: async (n) => {
      await fake.waitFor(() => fake.requests.length >= n);
    },
    close: once(() => fake.close()),
  };
});

describe('slack notifier against the fake Slack', () => {
  let fake: FakeSlack;
  const start = async (opts: Parameters<typeof startFakeSlack>[0] = {}) => {
    fake = await startFakeSlack({ token: TOKEN, ...opts });
    const logs = captureLogger();
    return { notifier: createSlackNotifier({ token: TOKEN, apiUrl: fake.url, logger: logs.logger, timeoutMs: TIMEOUT_MS }), logs };
  };
  afterEach(async () => {
    await fake.close();
  });

  it('posts a new group to the channel and returns the channel id and ts', async () => {
    const { notifier } = await start();
    const result = await notifier.notify(makeDelivery(target));

    const channelId = fake.channelIds.get('payments-alerts');
    expect(channelId).toMatch(/^C/);
    expect(result).toEqual({ ok: true, slackRef: { channel: channelId, ts: expect.any(String) } });
    const [request] = fake.requests;
    expect(request?.method).toBe('chat.postMessage');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.body).toMatchObject({ channel: '#payments-alerts', unfurl_links: false, unfurl_media: false });
    const message = result.ok && result.slackRef ? fake.messages.get(result.slackRef.ts) : undefined;
    expect(message?.text).toContain('FIRING: KubePodCrashLooping');
    expect(message?.blocks?.[0]).toMatchObject({ type: 'header', text: { text: ':rotating_light: FIRING: KubePodCrashLooping' } });
  });

  it('edits the message in place and replies in its thread when the group resolves', async () => {
    const { notifier } = await start();
    const first = await notifier.notify(makeDelivery(target));
    if (!first.ok || !first.slackRef) throw new Error('first post failed');
    const ref = first.slackRef;

    const resolved = makeSnapshot({
      alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })],
      change: { kind: 'resolved', added: [], resolved: ['a1b2c3d4e5f60718'] },
    });
    const second = await notifier.notify(makeDelivery(target, { id: 43, group: resolved, slackRef: ref }));

    expect(second).toEqual({ ok: true, slackRef: ref });
    expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.postMessage']);
    expect(fake.requests[1]?.body).toMatchObject({ channel: ref.channel, ts: ref.ts });
    expect(fake.requests[2]?.body).toMatchObject({ channel: ref.channel, thread_ts: ref.ts });

    const message = fake.messages.get(ref.ts);
    expect(message?.edits).toBe(1);
    expect(message?.blocks?.[0]).toMatchObject({ text: { text: ':white_check_mark: RESOLVED: KubePodCrashLooping' } });
    expect(message?.replies.map((r) => r.text)).toEqual([
      ':white_check_mark: RESOLVED: all alerts resolved (KubePodCrashLooping (pod=checkout-7d9f-abcde))',
    ]);
    expect(fake.messages.size).toBe(1);
  });

  it('announces a new alert in the thread', async () => {
    const { notifier } = await start();
    const first = await notifier.notify(makeDelivery(target));
    if (!first.ok || !first.slackRef) throw new Error('first post failed');
    const extra = makeAlert({ fingerprint: 'ffff', labels: { ...makeAlert().labels, pod: 'checkout-2' } });
    const group = makeSnapshot({ alerts: [makeAlert(), extra], change: { kind: 'changed', added: ['ffff'], resolved: [] } });
    await notifier.notify(makeDelivery(target, { group, slackRef: first.slackRef }));
    expect(fake.messages.get(first.slackRef.ts)?.replies[0]?.text).toBe(':red_circle: 1 new alert: KubePodCrashLooping (pod=checkout-2)\nNow 2 firing.');
  });

  it('posts a fresh message when the old one was deleted (message_not_found)', async () => {
    const { notifier } = await start();
    const stale: Delivery = makeDelivery(target, { slackRef: { channel: 'C00000001', ts: '1.000001' } });
    fake.channelIds.set('payments-alerts', 'C00000001');
    const result = await notifier.notify(stale);
    expect(fake.requests.map((r) => r.method)).toEqual(['chat.update', 'chat.postMessage']);
    expect(result.ok && result.slackRef?.ts).not.toBe('1.000001');
    expect(fake.messages.size).toBe(1);
  });

  describe('a message that can no longer be edited is replaced by a new one with the current state', () => {
    const resolved = () =>
      makeSnapshot({
        alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })],
        change: { kind: 'resolved', added: [], resolved: ['a1b2c3d4e5f60718'] },
      });
    const header = (blocks: unknown[] | undefined) => (blocks?.[0] as { text: { text: string } } | undefined)?.text.text;

    it('cant_update_message: the token now belongs to another Slack app than the one that posted it', async () => {
      fake = await startFakeSlack();
      const before = createSlackNotifier({ token: 'xoxb-old-app', apiUrl: fake.url, timeoutMs: TIMEOUT_MS });
      const logs = captureLogger();
      const after = createSlackNotifier({ token: 'xoxb-new-app', apiUrl: fake.url, logger: logs.logger, timeoutMs: TIMEOUT_MS });
      const first = await before.notify(makeDelivery(target));
      if (!first.ok || !first.slackRef) throw new Error('first post failed');

      const result = await after.notify(makeDelivery(target, { group: resolved(), slackRef: first.slackRef }));
      expect(result.ok && result.slackRef?.ts).toEqual(expect.any(String));
      expect(result.ok && result.slackRef?.ts).not.toBe(first.slackRef.ts);
      expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.postMessage']);
      const fresh = result.ok && result.slackRef ? fake.messages.get(result.slackRef.ts) : undefined;
      expect(header(fresh?.blocks)).toBe(':white_check_mark: RESOLVED: KubePodCrashLooping');
      // The old message is the other app's: it stays as it was.
      expect(fake.messages.get(first.slackRef.ts)?.edits).toBe(0);
      const warning = logs.lines.find((l) => l.level === 'warn' && /cannot be edited/.test(l.msg ?? ''));
      expect(warning?.msg).toContain('cant_update_message');
      expect(warning?.obj).toMatchObject({ slackError: 'cant_update_message', ts: first.slackRef.ts });

      // Later changes edit the new message, which this app posted.
      if (!result.ok || !result.slackRef) throw new Error('no new message');
      expect(await after.notify(makeDelivery(target, { group: resolved(), slackRef: result.slackRef }))).toEqual({ ok: true, slackRef: result.slackRef });
    });

    it("edit_window_closed: the workspace's time limit for editing messages has passed", async () => {
      const { notifier, logs } = await start({ editWindowMs: 20 });
      const first = await notifier.notify(makeDelivery(target));
      if (!first.ok || !first.slackRef) throw new Error('first post failed');
      await new Promise((r) => setTimeout(r, 40));

      const result = await notifier.notify(makeDelivery(target, { group: resolved(), slackRef: first.slackRef }));
      expect(result.ok && result.slackRef?.ts).not.toBe(first.slackRef.ts);
      expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.postMessage']);
      expect(header(result.ok && result.slackRef ? fake.messages.get(result.slackRef.ts)?.blocks : undefined)).toBe(':white_check_mark: RESOLVED: KubePodCrashLooping');
      expect(logs.lines.find((l) => l.level === 'warn' && /cannot be edited/.test(l.msg ?? ''))?.msg).toContain('edit_window_closed');
    });

    it('other refusals of an edit post nothing new', async () => {
      const { notifier } = await start();
      fake.respondWith([{ slackError: 'not_in_channel' }]);
      const result = await notifier.notify(makeDelivery(target, { slackRef: { channel: 'C00000001', ts: '1.000001' } }));
      expect(result).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/^slack chat\.update: not_in_channel — the Slack app is not a member of the channel/) });
      expect(fake.requests.map((r) => r.method)).toEqual(['chat.update']);
    });
  });

  it('waits for the outbox before each call after the first: the thread reply, a post replacing a deleted message', async () => {
    const { notifier } = await start();
    const seen: number[] = [];
    const gate = async () => {
      seen.push(fake.requests.length);
    };
    const first = await notifier.notify(makeDelivery(target), undefined, gate);
    if (!first.ok || !first.slackRef) throw new Error('first post failed');
    expect(seen).toEqual([]);
    const group = makeSnapshot({ change: { kind: 'repeat', added: [], resolved: [] } });
    await notifier.notify(makeDelivery(target, { group, slackRef: first.slackRef }), undefined, gate);
    // Asked once, after the update (2 calls made) and before the reply.
    expect(seen).toEqual([2]);
    fake.messages.clear();
    await notifier.notify(makeDelivery(target, { slackRef: first.slackRef }), undefined, gate);
    expect(seen).toEqual([2, 4]);
    expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.postMessage', 'chat.update', 'chat.postMessage']);
  });

  it('a failed edit sends no thread reply and is retryable; the retry edits and replies', async () => {
    const { notifier } = await start();
    const first = await notifier.notify(makeDelivery(target));
    if (!first.ok || !first.slackRef) throw new Error('first post failed');
    const later = makeDelivery(target, { slackRef: first.slackRef, group: makeSnapshot({ change: { kind: 'repeat', added: [], resolved: [] } }) });

    fake.respondWith([{ status: 503 }]);
    expect(await notifier.notify(later)).toMatchObject({ ok: false, retryable: true });
    expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.update']);

    expect(await notifier.notify(later)).toEqual({ ok: true, slackRef: first.slackRef });
    expect(fake.messages.get(first.slackRef.ts)?.replies.map((r) => r.text)).toEqual([':repeat: Still firing (repeat): 1 alert']);
  });

  describe('a message Slack refuses (too long, invalid blocks) is sent again, compact, in the same delivery', () => {
    const contextTexts = (blocks: unknown[] | undefined) =>
      (blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'context' ? (b as { elements: { text: string }[] }).elements.map((e) => e.text) : []));

    it.each(['msg_blocks_too_long', 'invalid_blocks', 'msg_too_long'])('%s on a post: the compact message is posted', async (code) => {
      const { notifier, logs } = await start();
      fake.respondWith([{ slackError: code }]);
      const result = await notifier.notify(makeDelivery(target));

      expect(result).toEqual({ ok: true, slackRef: { channel: expect.any(String), ts: expect.any(String) } });
      expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.postMessage']);
      const message = result.ok && result.slackRef ? fake.messages.get(result.slackRef.ts) : undefined;
      expect(message?.blocks?.[0]).toMatchObject({ type: 'header', text: { text: ':rotating_light: FIRING: KubePodCrashLooping' } });
      expect(JSON.stringify(message?.blocks)).toContain('*Alerts*\\n1 firing');
      expect(JSON.stringify(message?.blocks)).toContain('|Runbook>');
      expect(contextTexts(message?.blocks)).toEqual([expect.stringContaining(`Slack refused this group's full message (\`${code}\`)`), expect.stringMatching(/^alertgate · group /)]);
      expect(message?.text).toBe('FIRING: KubePodCrashLooping (team payments, severity critical, 1 firing) — Pod is crash looping');
      expect(logs.lines.some((l) => l.level === 'warn' && (l.obj as { slackError?: string }).slackError === code && /compact/.test(l.msg ?? ''))).toBe(true);
    });

    it('on an edit: the compact message replaces the old one (RESOLVED) and the thread reply follows, each call after the first paced', async () => {
      const { notifier } = await start();
      const first = await notifier.notify(makeDelivery(target));
      if (!first.ok || !first.slackRef) throw new Error('first post failed');
      const resolved = makeSnapshot({
        alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })],
        change: { kind: 'resolved', added: [], resolved: ['a1b2c3d4e5f60718'] },
      });
      const seen: number[] = [];
      fake.respondWith([{ slackError: 'msg_blocks_too_long' }]);
      const result = await notifier.notify(makeDelivery(target, { group: resolved, slackRef: first.slackRef }), undefined, async () => {
        seen.push(fake.requests.length);
      });

      expect(result).toEqual({ ok: true, slackRef: first.slackRef });
      expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.update', 'chat.postMessage']);
      expect(seen).toEqual([2, 3]);
      const message = fake.messages.get(first.slackRef.ts);
      expect(message?.edits).toBe(1);
      expect(message?.blocks?.[0]).toMatchObject({ text: { text: ':white_check_mark: RESOLVED: KubePodCrashLooping' } });
      expect(message?.replies.map((r) => r.text)).toEqual([expect.stringContaining(':white_check_mark: RESOLVED: all alerts resolved')]);
    });

    it('a pre-rendered message the fake Slack refuses (51 blocks: invalid_blocks) goes out as its text in one section', async () => {
      const { notifier, logs } = await start();
      const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
      const group = makeSnapshot({ groupKey: 'message:digest', message: { text: 'Alert storm in #payments-alerts & more', blocks } });
      const result = await notifier.notify(makeDelivery(target, { group }));

      expect(result).toMatchObject({ ok: true });
      expect(fake.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.postMessage']);
      const message = result.ok && result.slackRef ? fake.messages.get(result.slackRef.ts) : undefined;
      expect(message?.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'Alert storm in #payments-alerts & more', verbatim: true } }]);
      // The refusal logged says what Slack explained.
      const refused = logs.lines.find((l) => l.msg === 'slack call failed');
      expect((refused?.obj as { error?: string }).error).toBe('slack chat.postMessage: invalid_blocks ([ERROR] must provide an array of no more than 50 items)');
    });

    it('a compact message refused too is final, and says both answers', async () => {
      const { notifier } = await start();
      fake.respondWith([{ slackError: 'msg_too_long' }, { slackError: 'invalid_blocks' }]);
      expect(await notifier.notify(makeDelivery(target))).toEqual({
        ok: false,
        retryable: false,
        error: 'slack chat.postMessage: invalid_blocks (compact message, sent after slack chat.postMessage: msg_too_long)',
      });
      expect(fake.requests).toHaveLength(2);
    });

    it('other refusals are not sent again', async () => {
      const { notifier } = await start();
      fake.respondWith([{ slackError: 'not_in_channel' }]);
      expect(await notifier.notify(makeDelivery(target))).toMatchObject({ ok: false, retryable: false });
      expect(fake.requests).toHaveLength(1);
    });
  });

  it('channel_not_found is final and names the Slack error', async () => {
    const { notifier } = await start({ rejectUnknownChannels: true });
    const result = await notifier.notify(makeDelivery({ type: 'slack', channel: '#nowhere' }));
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/^slack chat\.postMessage: channel_not_found — no channel by this name or id that the Slack app can see/) });
  });

  it('a wrong token is final (invalid_auth) and the token stays out of the error', async () => {
    fake = await startFakeSlack({ token: 'xoxb-the-right-one' });
    const notifier = createSlackNotifier({ token: TOKEN, apiUrl: fake.url, timeoutMs: TIMEOUT_MS });
    const result = await notifier.notify(makeDelivery(target));
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/^slack chat\.postMessage: invalid_auth — Slack does not take the bot token: check that SLACK_TOKEN/) });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it.each(['not_in_channel', 'is_archived', 'no_permission'])('platform error %s is final', async (code) => {
    const { notifier } = await start();
    fake.respondWith([{ slackError: code }]);
    expect(await notifier.notify(makeDelivery(target))).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(new RegExp(`^slack chat\\.postMessage: ${code}( — |$)`)) });
  });

  it.each(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org'])(
    'platform error %s is retryable',
    async (code) => {
      const { notifier } = await start();
      fake.respondWith([{ slackError: code }]);
      expect(await notifier.notify(makeDelivery(target))).toMatchObject({ ok: false, retryable: true });
    },
  );

  it('HTTP 429 with Retry-After maps to retryAfterMs and the next call goes through', async () => {
    const { notifier } = await start();
    fake.respondWith([{ status: 500 }, { status: 429, headers: { 'retry-after': '1' } }]);
    expect(await notifier.notify(makeDelivery(target))).toMatchObject({ ok: false, retryable: true });
    expect(await notifier.notify(makeDelivery(target))).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 1000,
      limitedCall: 'chat.postMessage',
      error: 'slack chat.postMessage: rate limited (HTTP 429), retry after 1s',
    });
    expect(await notifier.notify(makeDelivery(target))).toMatchObject({ ok: true });
    // One attempt per notify: the client's own retries are off (the outbox owns retrying).
    expect(fake.requests).toHaveLength(3);
  });

  it('a refused connection is retryable and says why', async () => {
    const { notifier } = await start();
    await fake.close();
    const result = await notifier.notify(makeDelivery(target));
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/ECONNREFUSED/);
    fake = await startFakeSlack(); // afterEach closes this one
  });

  it('refuses a target of another type without calling Slack', async () => {
    const { notifier } = await start();
    const result = await notifier.notify(makeDelivery({ type: 'pagerduty', team: 'payments' }));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(fake.requests).toHaveLength(0);
  });
});

/**
 * SLACK_API_URL with `user:password@` (a proxy in front of Slack): node:http sends the URL's
 * userinfo as basic auth only when no Authorization header is set, and the Slack call sets one
 * (the bot token), so the credentials were silently dropped and the proxy refused every call.
 * The two cannot share the header: such a URL is refused when the client is made, before any call.
 */
describe('slack notifier given an API URL with a user name or password', () => {
  it('is refused when made, naming SLACK_API_URL and not the credentials; nothing reaches the server', async () => {
    const fake = await startFakeSlack({ token: TOKEN });
    try {
      for (const creds of ['proxyuser:pr0xy-Passw0rd@', 'PROXYKEY-abc123@']) {
        const apiUrl = fake.url.replace('http://', `http://${creds}`);
        let message = '';
        try {
          const notifier = createSlackNotifier({ token: TOKEN, apiUrl, timeoutMs: TIMEOUT_MS });
          await notifier.notify(makeDelivery(target));
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toMatch(/^SLACK_API_URL: a user name or password in it \(user:password@, for a proxy in front of Slack\) cannot be sent: /);
        for (const bit of ['proxyuser', 'pr0xy', 'PROXYKEY']) expect(message).not.toContain(bit);
      }
      expect(fake.requests).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
