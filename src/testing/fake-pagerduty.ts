/**
 * @module testing/fake-pagerduty
 * A fake PagerDuty Events API v2 (`POST /v2/enqueue`) on 127.0.0.1, over HTTPS when given a
 * TLS identity (see testing/tls.ts). It validates events roughly as PagerDuty does, answers
 * `202 {status:"success", message:"Event processed", dedup_key}`, keeps incident state per
 * dedup_key, and can be scripted to fail like the fake Slack.
 *
 * @example
 * const tls = await createTestTls();
 * const pd = await startFakePagerDuty({ tls });
 * const notifier = createPagerDutyNotifier({ eventsUrl: pd.url, ca: tls.cert, resolveRoutingKey });
 */
import type http from 'node:http';
import { listen, playBaseStep, Recorder, Script, sendJson, type BaseStep, type TlsIdentity } from './http-fake.js';

export type FakePagerDutyStep = BaseStep;

export interface FakePagerDutyEvent {
  path: string;
  /** Parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  headers: http.IncomingHttpHeaders;
  at: number;
  /** HTTP status the fake answered (undefined for hang/reset/down). */
  status?: number;
}

export interface FakeIncident {
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** Accepted events for this dedup_key, oldest first. */
  events: Record<string, unknown>[];
}

export interface FakePagerDutyOptions {
  tls?: TlsIdentity;
  /** When set, other routing keys get PagerDuty's 400 "Invalid routing key". */
  routingKeys?: string[];
}

export interface FakePagerDuty {
  /** Events API base (no trailing slash); clients append `/v2/enqueue`. */
  url: string;
  events: FakePagerDutyEvent[];
  incidents: Map<string, FakeIncident>;
  respondWith(plan: FakePagerDutyStep[]): void;
  setDown(down: boolean): void;
  waitFor(predicate: (e: FakePagerDutyEvent) => boolean, timeoutMs?: number): Promise<FakePagerDutyEvent>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 512 * 1024;
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);

function invalid(errors: string[]): { status: number; body: object } {
  return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
}

/** What PagerDuty would answer, and the accepted event if any. */
function validate(raw: string, routingKeys: string[] | undefined): { status: number; body: object; event?: Record<string, unknown> } {
  if (Buffer.byteLength(raw) >= MAX_BODY_BYTES) return invalid(['Event object exceeds the maximum size of 512 KB']);
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return { status: 400, body: { status: 'invalid request', message: 'Could not parse request body as JSON' } };
  }
  const errors: string[] = [];
  const key = event['routing_key'];
  if (typeof key !== 'string' || key === '') errors.push("'routing_key' is missing or blank");
  else if (routingKeys && !routingKeys.includes(key)) errors.push('Invalid routing key');
  const action = event['event_action'];
  if (typeof action !== 'string' || !ACTIONS.has(action)) errors.push("'event_action' is missing or invalid");
  if (action === 'trigger') {
    const payload = event['payload'] as Record<string, unknown> | undefined;
    const summary = payload?.['summary'];
    if (typeof summary !== 'string' || summary === '') errors.push("'payload.summary' is missing or blank");
    else if (summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
    if (typeof payload?.['source'] !== 'string' || payload['source'] === '') errors.push("'payload.source' is missing or blank");
    if (typeof payload?.['severity'] !== 'string' || !SEVERITIES.has(payload['severity'])) {
      errors.push("'payload.severity' must be one of critical, error, warning, info");
    }
  } else if (typeof event['dedup_key'] !== 'string' || event['dedup_key'] === '') {
    errors.push("'dedup_key' is required for acknowledge and resolve");
  }
  if (errors.length > 0) return invalid(errors);
  return { status: 202, body: {}, event };
}

export async function startFakePagerDuty(opts: FakePagerDutyOptions = {}): Promise<FakePagerDuty> {
  const recorder = new Recorder<FakePagerDutyEvent>();
  const script = new Script<FakePagerDutyStep>();
  const incidents = new Map<string, FakeIncident>();
  let down = false;
  let generated = 0;

  const server = await listen((call, req, res) => {
    let body: unknown;
    try {
      body = JSON.parse(call.rawBody) as unknown;
    } catch {
      body = call.rawBody;
    }
    const record: FakePagerDutyEvent = { path: call.path, body, headers: call.headers, at: Date.now() };
    const answer = (status: number, payload: unknown, headers?: Record<string, string>): void => {
      record.status = status;
      sendJson(res, status, payload, headers);
    };
    // Record after the answer is decided, so a waitFor() sees the status it got.
    try {
      if (down) {
        req.socket.destroy();
        return;
      }
      const step = script.next();
      if (step !== 'ok' && 'status' in step) {
        const send = () => answer(step.status, step.body ?? '', step.headers);
        // Held in flight until `after` resolves, as playBaseStep does (the client may have given up by then).
        if (step.after) void step.after.then(() => !res.destroyed && !res.writableEnded && send());
        else send();
        return;
      }
      if (playBaseStep(step, req, res)) return;
      if (call.path !== '/v2/enqueue' || req.method !== 'POST') {
        answer(404, { status: 'not found', message: 'Not found' });
        return;
      }
      const verdict = validate(call.rawBody, opts.routingKeys);
      if (!verdict.event) {
        answer(verdict.status, verdict.body);
        return;
      }
      const event = verdict.event;
      const dedupKey = typeof event['dedup_key'] === 'string' ? event['dedup_key'] : `generated-${++generated}`;
      const incident = incidents.get(dedupKey) ?? { dedupKey, status: 'triggered' as const, events: [] };
      const action = event['event_action'];
      incident.status = action === 'resolve' ? 'resolved' : action === 'acknowledge' ? 'acknowledged' : 'triggered';
      incident.events.push(event);
      incidents.set(dedupKey, incident);
      answer(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    } finally {
      recorder.push(record);
    }
  }, opts.tls);

  return {
    url: server.origin,
    events: recorder.items,
    incidents,
    respondWith: (plan) => script.respondWith(plan),
    setDown: (value) => {
      down = value;
    },
    waitFor: (predicate, timeoutMs) =>
      recorder.waitFor(predicate, timeoutMs, (e) => `${String((e.body as { event_action?: unknown })?.event_action)}→${e.status ?? '-'}`),
    close: () => server.close(),
  };
}
