/**
 * Reads what fake Slack and fake PagerDuty received and checks it against the scripts:
 * - the final state of every alert reached both receivers (the group's current Slack message and
 *   the PagerDuty incident);
 * - every receiver call is identified (post / edit / thread reply of "group G step S", PagerDuty
 *   trigger of a step or resolve after it), so calls made twice are counted, with their arrival
 *   times (to show each repeat straddles a kill).
 */
import type { FakePagerDuty } from '../../src/testing/fake-pagerduty.js';
import type { FakeSlack, FakeSlackMessage, FakeSlackRequest } from '../../src/testing/fake-slack.js';
import { displayName, SUMMARY_RE, type GroupScript } from './scenario.js';

export interface CallLog {
  /** identity → arrival times (ms), in order. */
  arrivals: Map<string, number[]>;
  /** Distinct identities per kind. */
  distinct: { posts: number; updates: number; replies: number; pagerduty: number };
  duplicates: { posts: number; replies: number; pagerduty: number; updates: number };
}

export interface GroupVerdict {
  script: GroupScript;
  /** Instances whose final state Slack shows. */
  slackOk: Set<string>;
  /** Instances whose final state PagerDuty holds. */
  pagerDutyOk: Set<string>;
  problems: string[];
}

function stepOf(text: unknown): { group: number; step: number } | undefined {
  const m = SUMMARY_RE.exec(typeof text === 'string' ? text : JSON.stringify(text ?? ''));
  return m ? { group: Number(m[1]), step: Number(m[2]) } : undefined;
}

const tsNumber = (ts: string) => Number(ts);

/** Identifies every successful receiver call of the fault traffic (a fake records failed ones too). */
export function readCalls(slack: FakeSlack, pagerduty: FakePagerDuty, opts: { slackAnswered?: (r: FakeSlackRequest) => boolean } = {}): CallLog {
  const arrivals = new Map<string, number[]>();
  const add = (id: string, at: number) => arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
  const lastUpdateStep = new Map<string, number>();
  // Requests are recorded in answer order; one group's calls are serial, so the order holds.
  for (const r of slack.requests) {
    // Calls Slack did not answer (connection reset while it was down) delivered nothing.
    if (opts.slackAnswered && !opts.slackAnswered(r)) continue;
    const threadTs = typeof r.body.thread_ts === 'string' ? r.body.thread_ts : undefined;
    if (r.method === 'chat.update') {
      const s = stepOf(r.body.text);
      if (!s || typeof r.body.ts !== 'string') continue;
      lastUpdateStep.set(r.body.ts, s.step);
      add(`update:${s.group}:${s.step}`, r.at);
    } else if (r.method === 'chat.postMessage' && threadTs) {
      const parent = slack.messages.get(threadTs);
      const g = parent ? stepOf(parent.text)?.group : undefined;
      if (g === undefined) continue;
      add(`reply:${g}:${lastUpdateStep.get(threadTs) ?? -1}`, r.at);
    } else if (r.method === 'chat.postMessage') {
      const s = stepOf(r.body.text);
      if (s) add(`post:${s.group}:${s.step}`, r.at);
    }
  }
  const lastTrigger = new Map<string, string>();
  for (const e of pagerduty.events) {
    if (e.status !== 202) continue;
    const body = e.body as { event_action?: string; dedup_key?: string; payload?: { summary?: string } };
    if (body.event_action === 'trigger') {
      const s = stepOf(body.payload?.summary);
      if (!s || !body.dedup_key) continue;
      lastTrigger.set(body.dedup_key, `${s.group}:${s.step}`);
      add(`trigger:${s.group}:${s.step}`, e.at);
    } else if (body.event_action === 'resolve' && body.dedup_key) {
      add(`resolve:${lastTrigger.get(body.dedup_key) ?? body.dedup_key}`, e.at);
    }
  }
  const count = (prefix: string[]) => [...arrivals].filter(([id]) => prefix.some((p) => id.startsWith(p)));
  const extra = (prefix: string[]) => count(prefix).reduce((n, [, at]) => n + at.length - 1, 0);
  return {
    arrivals,
    distinct: {
      posts: count(['post:']).length,
      updates: count(['update:']).length,
      replies: count(['reply:']).length,
      pagerduty: count(['trigger:', 'resolve:']).length,
    },
    duplicates: { posts: extra(['post:']), replies: extra(['reply:']), pagerduty: extra(['trigger:', 'resolve:']), updates: extra(['update:']) },
  };
}

/** The message a group's later changes edit: its newest top-level message. */
function currentMessage(slack: FakeSlack, group: number): FakeSlackMessage | undefined {
  let best: FakeSlackMessage | undefined;
  for (const m of slack.messages.values()) {
    if (stepOf(m.text)?.group !== group) continue;
    if (!best || tsNumber(m.ts) > tsNumber(best.ts)) best = m;
  }
  return best;
}

function sectionTexts(m: FakeSlackMessage): string[] {
  return (m.blocks ?? []).flatMap((b) => {
    const block = b as { type?: string; text?: { text?: string } };
    return block.type === 'section' && typeof block.text?.text === 'string' ? [block.text.text] : [];
  });
}

/** Checks every group's final state at both receivers. */
export function verifyFinalStates(scripts: GroupScript[], slack: FakeSlack, pagerduty: FakePagerDuty): GroupVerdict[] {
  // dedup_key → group, from the triggers (every group fires first).
  const groupOfKey = new Map<string, number>();
  for (const e of pagerduty.events) {
    const body = e.body as { event_action?: string; dedup_key?: string; payload?: { summary?: string } };
    const s = body.event_action === 'trigger' ? stepOf(body.payload?.summary) : undefined;
    if (s && body.dedup_key) groupOfKey.set(body.dedup_key, s.group);
  }
  const incidentOf = new Map<number, ReturnType<FakePagerDuty['incidents']['get']>>();
  for (const [key, incident] of pagerduty.incidents) {
    const g = groupOfKey.get(key);
    if (g !== undefined) incidentOf.set(g, incident);
  }

  return scripts.map((script) => {
    const problems: string[] = [];
    const slackOk = new Set<string>();
    const pagerDutyOk = new Set<string>();
    const allResolved = [...script.final.values()].every((s) => s === 'resolved');

    const message = currentMessage(slack, script.index);
    if (!message) problems.push('no Slack message');
    else {
      const word = allResolved ? 'RESOLVED' : 'FIRING';
      if (!message.text.startsWith(`${word}:`)) problems.push(`Slack message says "${message.text.slice(0, 40)}", expected ${word}`);
      const sections = sectionTexts(message);
      for (const [instance, state] of script.final) {
        const marker = state === 'firing' ? ':red_circle: FIRING' : ':large_green_circle: RESOLVED';
        // With an alert of the group's earlier life shown beside it (ended unseen), instance is
        // not common to the alerts shown (model/common-fields.ts) and names the alert.
        const names = [`*${displayName(script, instance)}*`, `*${script.alertname} (instance=${instance})*`];
        if (message.text.startsWith(`${word}:`) && sections.some((t) => t.startsWith(marker) && names.some((n) => t.includes(n)))) slackOk.add(instance);
        else problems.push(`Slack does not show ${instance} ${state}`);
      }
    }

    const incident = incidentOf.get(script.index);
    if (!incident) problems.push('no PagerDuty incident');
    else {
      const last = incident.events[incident.events.length - 1] as
        | { event_action: string; payload?: { custom_details?: { firing?: { labels: Record<string, string> }[] } } }
        | undefined;
      const firingThere = new Set((last?.payload?.custom_details?.firing ?? []).map((a) => a.labels.instance));
      const statusOk = allResolved ? incident.status === 'resolved' : incident.status === 'triggered';
      if (!statusOk) problems.push(`PagerDuty incident is ${incident.status}`);
      for (const [instance, state] of script.final) {
        const ok = statusOk && (allResolved || (state === 'firing') === firingThere.has(instance));
        if (ok) pagerDutyOk.add(instance);
        else problems.push(`PagerDuty does not hold ${instance} ${state}`);
      }
    }
    return { script, slackOk, pagerDutyOk, problems };
  });
}

/** Alerts whose final state reached both receivers. */
export function deliveredAlerts(verdicts: GroupVerdict[]): number {
  return verdicts.reduce((n, v) => n + [...v.script.instances].filter((i) => v.slackOk.has(i) && v.pagerDutyOk.has(i)).length, 0);
}

/**
 * Repeated identities whose two arrivals were NOT made by different gateway generations (must be
 * none). `restarts` are the times the generations after a kill started listening (from their own
 * log): a call arriving before one was sent by an older process, one arriving after it by a newer
 * one (the older process was dead by then). So a pair straddling a restart is a call that was in
 * flight at a kill and repeated by the next process.
 */
export function repeatsWithoutKill(calls: CallLog, restarts: number[]): string[] {
  const out: string[] = [];
  for (const [id, at] of calls.arrivals) {
    if (id.startsWith('update:')) continue; // an edit repeats harmlessly (same content)
    for (let i = 1; i < at.length; i++) {
      if (!restarts.some((r) => at[i - 1]! < r && r <= at[i]!)) out.push(`${id} at ${at[i - 1]} and ${at[i]}`);
    }
  }
  return out;
}

/** A readable trace of one group's receiver calls (for failure messages). */
export function traceGroup(group: number, slack: FakeSlack, pagerduty: FakePagerDuty, t0: number): string[] {
  const ofGroup = new Set<string>([...slack.messages.values()].filter((m) => stepOf(m.text)?.group === group).map((m) => m.ts));
  const lines: string[] = [];
  for (const r of slack.requests) {
    const s = stepOf(r.body.text);
    const ts = String(r.body.ts ?? r.body.thread_ts ?? '');
    if (s?.group !== group && !ofGroup.has(ts)) continue;
    lines.push(`+${r.at - t0}ms slack ${r.method}${r.body.thread_ts ? ' (reply)' : ''} ts=${ts} ${String(r.body.text).slice(0, 60)}`);
  }
  for (const e of pagerduty.events) {
    const body = e.body as { event_action?: string; payload?: { summary?: string }; dedup_key?: string };
    if (stepOf(body.payload?.summary)?.group !== group && !lines.some((l) => body.dedup_key && l.includes(body.dedup_key))) continue;
    lines.push(`+${e.at - t0}ms pagerduty ${body.event_action} ${e.status} ${body.dedup_key} ${body.payload?.summary ?? ''}`);
  }
  return lines;
}
