import { describe, expect, it } from 'vitest';
import { classifySlackAnswer, SLACK_ERROR_HINTS } from './errors.js';

const TOKEN = 'xoxb-1111-secret-token';
const ctx = { method: 'chat.postMessage', token: TOKEN };
const answer = (status: number, body: string, retryAfter?: string) => ({ status, body, retryAfter });

describe('classifySlackAnswer', () => {
  it('returns the data of an ok answer', () => {
    expect(classifySlackAnswer(answer(200, '{"ok":true,"channel":"C1","ts":"1.2"}'), ctx)).toEqual({ ok: true, data: { ok: true, channel: 'C1', ts: '1.2' } });
  });

  it('429 is retryable after its Retry-After, and still retryable without one; it names the method limited', () => {
    expect(classifySlackAnswer(answer(429, '', '30'), ctx)).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 30_000,
      limitedCall: 'chat.postMessage',
      error: 'slack chat.postMessage: rate limited (HTTP 429), retry after 30s',
    });
    expect(classifySlackAnswer(answer(429, ''), ctx)).toEqual({ ok: false, retryable: true, limitedCall: 'chat.postMessage', error: 'slack chat.postMessage: rate limited (HTTP 429)' });
  });

  it('5xx is retryable and 4xx final, with an excerpt of the body free of the token', () => {
    expect(classifySlackAnswer(answer(503, '<html>\n  down\n</html>'), ctx)).toMatchObject({ ok: false, retryable: true, error: 'slack chat.postMessage: HTTP 503: HTML page: down' });
    const final = classifySlackAnswer(answer(404, `no such route for ${TOKEN}`), ctx);
    expect(final).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(final)).not.toContain(TOKEN);
  });

  it('a platform error is final unless Slack calls it transient; a transient one honours Retry-After', () => {
    expect(classifySlackAnswer(answer(200, '{"ok":false,"error":"channel_not_found"}'), ctx)).toEqual({
      ok: false,
      retryable: false,
      error: `slack chat.postMessage: channel_not_found — ${SLACK_ERROR_HINTS.get('channel_not_found')}`,
      slackError: 'channel_not_found',
    });
    expect(classifySlackAnswer(answer(200, '{"ok":false,"error":"no_permission"}'), ctx)).toMatchObject({ retryable: false, error: 'slack chat.postMessage: no_permission' });
    expect(classifySlackAnswer(answer(200, '{"ok":false,"error":"service_unavailable"}', '5'), ctx)).toMatchObject({ retryable: true, retryAfterMs: 5000 });
  });

  it("a refusal's error says what Slack explained (response_metadata.messages): the first two, errors first, on one line, without the token", () => {
    const body = JSON.stringify({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: {
        messages: [
          '[WARN] A Content-Type header was presented but did not declare a charset',
          '[ERROR] must be less than 3001 characters [json-pointer:/blocks/3/text/text]',
          `[ERROR] failed to match all allowed schemas\n  for ${TOKEN} [json-pointer:/blocks/7]`,
          '[ERROR] a third one',
        ],
      },
    });
    const failure = classifySlackAnswer(answer(200, body), ctx);
    expect(failure).toEqual({
      ok: false,
      retryable: false,
      slackError: 'invalid_blocks',
      error:
        'slack chat.postMessage: invalid_blocks ([ERROR] must be less than 3001 characters [json-pointer:/blocks/3/text/text]; [ERROR] failed to match all allowed schemas for [REDACTED] [json-pointer:/blocks/7])',
    });
    // A long message is cut; none at all, or not strings, add nothing.
    const long = classifySlackAnswer(answer(200, JSON.stringify({ ok: false, error: 'invalid_blocks', response_metadata: { messages: [`[ERROR] ${'x'.repeat(1000)}`] } })), ctx);
    expect(!long.ok && long.error.length).toBeLessThan(260);
    for (const meta of [{}, { messages: [] }, { messages: [1, null] }, { messages: 'x' }, null]) {
      expect(classifySlackAnswer(answer(200, JSON.stringify({ ok: false, error: 'msg_too_long', response_metadata: meta })), ctx)).toMatchObject({
        error: 'slack chat.postMessage: msg_too_long',
      });
    }
  });

  it('a 200 that is not a JSON object (a proxy page) is retryable and says what came back', () => {
    expect(classifySlackAnswer(answer(200, '<html>captive portal</html>'), ctx)).toEqual({
      ok: false,
      retryable: true,
      error: 'slack chat.postMessage: answer is not a JSON object: HTML page: captive portal',
      // Whatever answered may have passed the call on: a retried post looks for it first.
      requestSent: true,
    });
    expect(classifySlackAnswer(answer(200, '[1]'), ctx)).toMatchObject({ ok: false, retryable: true });
  });

  it("missing_scope names the scope Slack says is needed and the ones the token has, capped and free of the token", () => {
    const body = JSON.stringify({ ok: false, error: 'missing_scope', needed: 'chat:write', provided: `channels:read,${TOKEN}` });
    const failure = classifySlackAnswer(answer(200, body), ctx);
    expect(failure).toMatchObject({ retryable: false, slackError: 'missing_scope' });
    expect(!failure.ok && failure.error).toBe(
      `slack chat.postMessage: missing_scope — ${SLACK_ERROR_HINTS.get('missing_scope')} (needed: chat:write; the token has: channels:read,[REDACTED])`,
    );
  });

  it("a channel's hints say a retry posts to that same channel: fixing the channel in routes/ does not move the dead notification", () => {
    // Seen on a real gateway: dead on is_archived, the team's channel changed and reloaded, the
    // retry posted into the archived channel again (a notification keeps its target).
    for (const code of ['channel_not_found', 'is_archived', 'not_in_channel']) {
      const text = classifySlackAnswer(answer(200, `{"ok":false,"error":"${code}"}`), ctx);
      expect(!text.ok && text.error).toMatch(/a retry posts to this same channel/);
    }
  });
});
