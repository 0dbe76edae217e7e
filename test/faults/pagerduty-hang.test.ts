/**
 * Fault: PagerDuty accepts connections and never answers (a hung load balancer), so every page
 * takes the full DELIVERY_TIMEOUT_MS. With OUTBOX_CONCURRENCY=2 the pages may hold one slot
 * (OUTBOX_RECEIVER_CONCURRENCY's default leaves at least one to the other receiver): Slack
 * messages go out at once through the other, instead of waiting behind the hung calls; the pages
 * are delivered once PagerDuty answers again, each once.
 */
import { describe, expect, it } from 'vitest';
import { sendLikeAlertmanager, waitForDrain, useFaultRig } from '../support/fault-harness.js';
import { recordFaultRow } from '../support/fault-report.js';
import { waitUntil } from '../support/gateway.js';
import { buildScripts, SUMMARY_RE } from './scenario.js';
import { deliveredAlerts, readCalls, verifyFinalStates } from './verify.js';

/**
 * How long each hung page takes. What the case shows is that every Slack message goes out before
 * the first hung page times out. Pages holding both slots make Slack wait for that timeout, so
 * then the last message comes after it at any load (15.45 s at 15 s, 5.5 s at 5 s). Timed from
 * before the 8 webhooks are sent to a gateway process, next to the CPU-heavy SIGKILL case: 0.55 s
 * idle, but 5 s left too little for a loaded machine. The waits below are multiples of it: 3× for
 * the Slack messages, 3× the two hung calls for the drain.
 */
const TIMEOUT_MS = 15_000;
const GROUPS = 8;

const rig = useFaultRig();

describe('PagerDuty hangs', () => {
  it(`every page hanging for ${TIMEOUT_MS / 1000} s holds at most PagerDuty's share of the slots: Slack is not held back`, async () => {
    const gw = await rig().start({
      OUTBOX_CONCURRENCY: '2',
      DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
      DELIVERY_BACKOFF_BASE_MS: '200',
      DELIVERY_BACKOFF_MAX_MS: '500',
    });
    const { slack, pagerduty } = rig().fakes;
    // As many hung calls as there are slots: without a per-target bound both slots would hang.
    pagerduty.respondWith([{ hang: true }, { hang: true }]);
    const scripts = buildScripts({ seed: 31, groups: GROUPS, steps: 1 });

    const sentAt = Date.now();
    const outcomes = await Promise.all(scripts.map((s) => sendLikeAlertmanager(gw.url, s.steps[0]!)));
    expect(outcomes.map((o) => o.status)).toEqual(scripts.map(() => 202));

    // Every group's Slack message arrives while the first page is still hanging.
    const posted = () => new Set(slack.requests.filter((r) => r.method === 'chat.postMessage').map((r) => SUMMARY_RE.exec(JSON.stringify(r.body))?.[1]));
    await waitUntil(() => posted().size === GROUPS, TIMEOUT_MS * 3, 'a Slack message for every group');
    const slackDoneMs = Math.max(...slack.requests.filter((r) => r.method === 'chat.postMessage').map((r) => r.at)) - sentAt;
    expect(slackDoneMs).toBeLessThan(TIMEOUT_MS);
    // Only one page was in flight (hanging) by then.
    const pagesTriedBySlackDone = pagerduty.events.filter((e) => e.at <= sentAt + slackDoneMs).length;
    expect(pagesTriedBySlackDone).toBe(1);

    // PagerDuty answers again after the two hung calls: every page is delivered, once.
    await waitForDrain(gw.url, TIMEOUT_MS * 6);
    const verdicts = verifyFinalStates(scripts, slack, pagerduty);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    const calls = readCalls(slack, pagerduty);
    expect(calls.duplicates.pagerduty).toBe(0);
    const alerts = scripts.reduce((n, s) => n + s.instances.length, 0);
    recordFaultRow({
      case: `PagerDuty hangs (2 calls × ${TIMEOUT_MS / 1000} s timeout), OUTBOX_CONCURRENCY=2`,
      alertsSent: alerts,
      delivered: deliveredAlerts(verdicts),
      dead: 0,
      lost: alerts - deliveredAlerts(verdicts),
      duplicated: calls.duplicates.pagerduty,
      notes: `all ${GROUPS} Slack messages ${(slackDoneMs / 1000).toFixed(2)} s after sending, with ${pagesTriedBySlackDone} page hanging; every page delivered once after the timeouts`,
    });
  });
});
