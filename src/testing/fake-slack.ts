/**
 * @module testing/fake-slack
 * A fake Slack Web API on 127.0.0.1 for tests: records every call, keeps message state
 * (posts, edits, thread replies), answers like Slack (`{ok:true, channel:"C…", ts}`), and can
 * be scripted to fail (`respondWith([{status:500}, {status:429, headers:{'retry-after':'1'}}, 'ok'])`).
 * Messages keep their metadata; `conversations.history` and `conversations.replies` read them
 * (channel ids only, as Slack's; `oldest`, `inclusive`, `limit`, `cursor`; metadata only with
 * `include_all_metadata`).
 * Slack clients send form-encoded bodies (blocks as a JSON string); JSON bodies work too.
 *
 * @example
 * const slack = await startFakeSlack();
 * const notifier = createSlackNotifier({ token: 'xoxb-test', apiUrl: slack.url });
 * await slack.waitFor((r) => r.method === 'chat.update');
 * await slack.close();
 */
import type http from 'node:http';
import { listen, playBaseStep, Recorder, Script, sendJson, type BaseStep } from './http-fake.js';
import { slackLimitError } from './slack-limits.js';

export type FakeSlackStep =
  | BaseStep
  /** HTTP 200 `{ok:false, error}` — a Slack platform error (channel_not_found, ratelimited, …). */
  | { slackError: string; headers?: Record<string, string> }
  /**
   * Carry out the call (a post is made) but give no answer: `hang` never answers (the client
   * times out), `reset` drops the connection. A call that did what it asked though the caller
   * cannot know. Or an answer that does not say: `bad-gateway` (HTTP 502, as a proxy in front
   * gives), `internal-error` (Slack's `internal_error`), `no-ts` (`ok` without the message's ts).
   */
  | { applyThen: 'hang' | 'reset' | 'bad-gateway' | 'internal-error' | 'no-ts' };

export interface FakeSlackRequest {
  /** Web API method from the path, e.g. `chat.postMessage`. */
  method: string;
  /** Parsed params; JSON-looking form fields (blocks, attachments, metadata) are decoded. */
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** Date.now() on arrival. */
  at: number;
}

export interface FakeSlackMessage {
  /** Channel id. */
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[] | undefined;
  /** Parent ts for a thread reply. */
  threadTs?: string;
  /** Thread replies, oldest first (top-level messages only). */
  replies: FakeSlackMessage[];
  /** Number of chat.update calls applied. */
  edits: number;
  /** The `Authorization` header it was posted with: the app that may edit it. */
  postedBy?: string;
  /** Date.now() when it was posted. */
  postedAt: number;
  /** The `metadata` it was posted with (event_type, event_payload), if any. */
  metadata?: unknown;
}

export interface FakeSlackOptions {
  /** When set, calls must carry `Authorization: Bearer <token>` or get `invalid_auth`. */
  token?: string;
  /** Pre-known channels, name (without '#') → id. */
  channels?: Record<string, string>;
  /** Answer `channel_not_found` for channels not in `channels` (default: create them). */
  rejectUnknownChannels?: boolean;
  /**
   * The workspace's time limit for editing messages: an edit of a message older than this is
   * answered `edit_window_closed` (default: none). An edit with another token than the post's
   * (another Slack app) is always answered `cant_update_message`.
   */
  editWindowMs?: number;
}

export interface FakeSlack {
  /** Web API base URL, ending in `/api/`. */
  url: string;
  requests: FakeSlackRequest[];
  /** Top-level messages by ts; thread replies are under their parent's `replies`. */
  messages: Map<string, FakeSlackMessage>;
  /** Channel name (without '#') → id. */
  channelIds: Map<string, string>;
  /**
   * Scripts the next answers, one per incoming call (with `method`, per call of that method only:
   * others answer normally, whatever order concurrent calls arrive in); afterwards calls behave normally.
   */
  respondWith(plan: FakeSlackStep[], method?: string): void;
  /** While down, every connection is reset without an answer. */
  setDown(down: boolean): void;
  /**
   * A token rotation: from now on calls must carry `token` (requires the `token` option), and the
   * one before gets `invalid_auth`, as a revoked token does. The new token is the same app's: it
   * may edit the messages posted with the old one.
   */
  rotateToken(token: string): void;
  waitFor(predicate: (r: FakeSlackRequest) => boolean, timeoutMs?: number): Promise<FakeSlackRequest>;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata']);

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = JSON_FIELDS.has(k) && /^[[{]/.test(v) ? (JSON.parse(v) as unknown) : v;
  }
  return out;
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const recorder = new Recorder<FakeSlackRequest>();
  const script = new Script<FakeSlackStep>();
  /** The method whose calls the script answers (undefined: every call). */
  let scriptedMethod: string | undefined;
  const messages = new Map<string, FakeSlackMessage>();
  const channelIds = new Map<string, string>(Object.entries(opts.channels ?? {}));
  let down = false;
  let counter = 0;
  let token = opts.token;
  /** `Authorization` header → the first one of its app (a rotated token is the same app). */
  const appOf = new Map<string, string>();
  const app = (authorization: string | undefined) => (authorization === undefined ? undefined : (appOf.get(authorization) ?? authorization));

  const nextTs = (): string => {
    counter += 1;
    // Seconds of the clock, as Slack's (conversations.history's `oldest` compares with them);
    // the counter keeps them unique and in order.
    return `${Math.floor(Date.now() / 1000)}.${String(counter).padStart(6, '0')}`;
  };

  /** Channel name or id → id; undefined when unknown and unknown channels are rejected. */
  const channelId = (value: unknown): string | undefined => {
    if (typeof value !== 'string' || value === '') return undefined;
    if ([...channelIds.values()].includes(value)) return value;
    const name = value.replace(/^#/, '');
    const known = channelIds.get(name);
    if (known !== undefined) return known;
    if (opts.rejectUnknownChannels) return undefined;
    const id = `C${String(channelIds.size + 1).padStart(8, '0')}`;
    channelIds.set(name, id);
    return id;
  };

  const findMessage = (channel: string, ts: string): FakeSlackMessage | undefined => {
    const top = messages.get(ts);
    if (top) return top.channel === channel ? top : undefined;
    for (const m of messages.values()) {
      const reply = m.replies.find((r) => r.ts === ts && r.channel === channel);
      if (reply) return reply;
    }
    return undefined;
  };

  /**
   * A page of a channel's messages (history) or of a thread (replies: the parent first), as
   * Slack answers: history newest first, replies oldest first; `cursor` is the offset.
   */
  function read(method: string, body: Record<string, unknown>): object {
    const channel = typeof body['channel'] === 'string' ? body['channel'] : '';
    // Slack's conversations.* methods take ids only: a name is not found.
    if (![...channelIds.values()].includes(channel)) return { ok: false, error: 'channel_not_found' };
    const oldest = Number(body['oldest'] ?? 0);
    const inclusive = body['inclusive'] === true || body['inclusive'] === 'true' || body['inclusive'] === '1';
    const limit = Math.max(1, Math.min(999, Number(body['limit'] ?? 100)));
    const offset = Number(body['cursor'] ?? 0);
    const withMetadata = body['include_all_metadata'] === true || body['include_all_metadata'] === 'true' || body['include_all_metadata'] === '1';
    let list: FakeSlackMessage[];
    if (method === 'conversations.replies') {
      const parent = findMessage(channel, typeof body['ts'] === 'string' ? body['ts'] : '');
      if (!parent) return { ok: false, error: 'thread_not_found' };
      list = [parent, ...parent.replies];
    } else {
      list = [...messages.values()].filter((m) => m.channel === channel).reverse();
    }
    list = list.filter((m) => (inclusive ? Number(m.ts) >= oldest : Number(m.ts) > oldest));
    const page = list.slice(offset, offset + limit);
    const more = offset + limit < list.length;
    return {
      ok: true,
      messages: page.map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(m.threadTs ? { thread_ts: m.threadTs } : {}), ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}) })),
      has_more: more,
      response_metadata: { next_cursor: more ? String(offset + limit) : '' },
    };
  }

  function answer(method: string, body: Record<string, unknown>, headers: http.IncomingHttpHeaders): object {
    if (token !== undefined && headers.authorization !== `Bearer ${token}` && body['token'] !== token) {
      return { ok: false, error: 'invalid_auth' };
    }
    const text = typeof body['text'] === 'string' ? body['text'] : '';
    const blocks = Array.isArray(body['blocks']) ? (body['blocks'] as unknown[]) : undefined;
    if (method === 'chat.postMessage' || method === 'chat.update') {
      const tooBig = slackLimitError(text, blocks);
      if (tooBig) return { ok: false, error: tooBig.error, ...(tooBig.detail ? { response_metadata: { messages: [`[ERROR] ${tooBig.detail}`] } } : {}) };
    }
    if (method === 'chat.postMessage') {
      const channel = channelId(body['channel']);
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      const ts = nextTs();
      const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : undefined;
      const postedBy = headers.authorization;
      const metadata = body['metadata'];
      const message: FakeSlackMessage = {
        channel,
        ts,
        text,
        blocks,
        replies: [],
        edits: 0,
        postedAt: Date.now(),
        ...(threadTs ? { threadTs } : {}),
        ...(postedBy ? { postedBy } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
      };
      const parent = threadTs ? messages.get(threadTs) : undefined;
      if (parent && parent.channel === channel) parent.replies.push(message);
      else messages.set(ts, message);
      return { ok: true, channel, ts, message: { text, ts } };
    }
    if (method === 'chat.update') {
      const channel = channelId(body['channel']);
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      const ts = typeof body['ts'] === 'string' ? body['ts'] : '';
      const message = findMessage(channel, ts);
      if (!message) return { ok: false, error: 'message_not_found' };
      if (app(message.postedBy) !== app(headers.authorization)) return { ok: false, error: 'cant_update_message' };
      if (opts.editWindowMs !== undefined && Date.now() - message.postedAt > opts.editWindowMs) return { ok: false, error: 'edit_window_closed' };
      message.text = text;
      message.blocks = blocks;
      message.edits += 1;
      return { ok: true, channel, ts, text };
    }
    if (method === 'conversations.history' || method === 'conversations.replies') {
      // Slack takes JSON bodies for write methods only; a read's JSON arguments are not read.
      if (headers['content-type']?.includes('application/json')) return { ok: false, error: 'invalid_arguments' };
      return read(method, body);
    }
    if (method === 'auth.test') return { ok: true, team: 'fake', user: 'alertgate' };
    return { ok: false, error: 'unknown_method' };
  }

  const server = await listen((call, req, res) => {
    const method = call.path.replace(/^\/api\//, '').split('?')[0] ?? '';
    let body: Record<string, unknown>;
    try {
      body = parseBody(call.rawBody, call.headers['content-type']);
    } catch {
      body = { unparsed: call.rawBody };
    }
    const record: FakeSlackRequest = { method, body, headers: call.headers, at: Date.now() };
    // Recorded once answered, so whoever waitFor()s it sees the state that answer produced.
    try {
      if (down) {
        req.socket.destroy();
        return;
      }
      const step = scriptedMethod === undefined || scriptedMethod === method ? script.next() : 'ok';
      if (step !== 'ok' && 'slackError' in step) {
        sendJson(res, 200, { ok: false, error: step.slackError }, step.headers);
        return;
      }
      if (step !== 'ok' && 'applyThen' in step) {
        answer(method, body, call.headers);
        if (step.applyThen === 'reset') req.socket.destroy();
        if (step.applyThen === 'bad-gateway') sendJson(res, 502, { message: 'upstream timed out' });
        if (step.applyThen === 'internal-error') sendJson(res, 200, { ok: false, error: 'internal_error' });
        if (step.applyThen === 'no-ts') sendJson(res, 200, { ok: true });
        return;
      }
      if (playBaseStep(step, req, res)) return;
      sendJson(res, 200, answer(method, body, call.headers));
    } finally {
      recorder.push(record);
    }
  });

  return {
    url: `${server.origin}/api/`,
    requests: recorder.items,
    messages,
    channelIds,
    respondWith: (plan, method) => {
      scriptedMethod = method;
      script.respondWith(plan);
    },
    setDown: (value) => {
      down = value;
    },
    rotateToken: (next) => {
      if (token === undefined) throw new Error('rotateToken needs a fake Slack started with a token');
      appOf.set(`Bearer ${next}`, app(`Bearer ${token}`)!);
      token = next;
    },
    waitFor: (predicate, timeoutMs) => recorder.waitFor(predicate, timeoutMs, (r) => r.method),
    close: () => server.close(),
  };
}
