/**
 * What an alert can make alertgate say. Generated label and annotation text (Slack mentions,
 * links, entities, unicode, control characters, huge values) goes through the real Slack
 * renderer and PagerDuty event builder:
 * - Slack: no `<…>` control sequence in any text field comes from alert text (only the links
 *   alertgate builds itself, with neutralised URLs), every `&` is an entity, Slack's limits hold
 *   (the text of all blocks together included);
 * - PagerDuty: the summary is at most 1,024 characters and the whole event under 512 KB.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertDisplayName, alertDisplayNamer } from '../src/delivery/group-text.js';
import { buildPagerDutyEvent, PAGERDUTY_LIMITS } from '../src/delivery/pagerduty/event.js';
import { renderFallbackText, renderSlackMessage, renderThreadReply, SLACK_LIMITS, type SlackBlock } from '../src/delivery/slack/render.js';
import type { Alert } from '../src/model/alert.js';
import type { ChangeKind, GroupSnapshot } from '../src/model/group.js';
import { bigText, hostileText, TROUBLE } from './support/fault-arbitraries.js';
import { fastestRunMs } from './support/timing.js';

/** Labels alertgate gives its own links (render.ts, group-text.ts). */
const OWN_LINK = /<(https?:\/\/[^\s<>|]*)\|(Runbook|Dashboard|Source|source|Silence)>/g;
/** A URL written in an annotation, linked as itself (escape.ts escapeSlackLinkingUrls): no label. */
const TEXT_URL_LINK = /<https?:\/\/[^\s<>|/?#][^\s<>|]*>/g;

const text = fc.oneof({ weight: 6, arbitrary: hostileText(40) }, { weight: 1, arbitrary: fc.constantFrom(...TROUBLE).map((t) => t.repeat(400)) });
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  text,
  fc.tuple(fc.constantFrom('https://runbooks.example/', 'http://x/'), text).map(([base, rest]) => base + rest),
  fc.constantFrom('javascript:alert(1)', 'https://x.example/|<!channel>', 'https://x.example/ <!here>', `https://x.example/${'a'.repeat(5000)}`),
);
const labels = fc.dictionary(fc.oneof(text, fc.constantFrom('alertname', 'severity', 'namespace', 'pod', 'team')), text, { maxKeys: 6 });
const annotations = fc.record(
  { summary: text, description: text, message: text, runbook_url: url, dashboard_url: url, runbook: url, other: text },
  { requiredKeys: [] },
);

const alert: fc.Arbitrary<Alert> = fc.record({
  fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), text),
  status: fc.constantFrom('firing' as const, 'resolved' as const),
  labels,
  annotations: annotations as fc.Arbitrary<Record<string, string>>,
  startsAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text),
  endsAt: fc.oneof(fc.constant(null), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text),
  generatorURL: url,
});

function snapshotOf(alerts: fc.Arbitrary<Alert[]>): fc.Arbitrary<GroupSnapshot> {
  return fc
    .record({
      team: fc.constantFrom('payments', 'platform', 'prisons'),
      groupKey: text,
      receiver: text,
      groupLabels: labels,
      commonLabels: labels,
      commonAnnotations: annotations as fc.Arbitrary<Record<string, string>>,
      externalURL: url,
      alerts,
      kind: fc.constantFrom<ChangeKind>('new', 'changed', 'resolved', 'repeat'),
      extraIds: fc.array(text, { maxLength: 8 }),
    })
    .map((r) => {
      const ids = r.alerts.map((a) => a.fingerprint);
      return {
        groupId: `${r.team}:x`,
        team: r.team,
        groupKey: r.groupKey,
        receiver: r.receiver,
        status: r.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
        groupLabels: r.groupLabels,
        commonLabels: r.commonLabels,
        commonAnnotations: r.commonAnnotations,
        externalURL: r.externalURL,
        alerts: r.alerts,
        // Change lists name known alerts and unknown ids (shown raw, so escaped too).
        change: { kind: r.kind, added: [...ids.slice(0, 3), ...r.extraIds], resolved: [...ids.slice(3), ...r.extraIds.slice(0, 2)] },
        dedupKey: 'dk',
      } satisfies GroupSnapshot;
    });
}

/** Every text a Slack client renders, with where it sits. */
function textFields(message: { text: string; blocks?: SlackBlock[] }): { where: string; text: string; max: number }[] {
  const out: { where: string; text: string; max: number }[] = [{ where: 'text', text: message.text, max: SLACK_LIMITS.fallbackText }];
  (message.blocks ?? []).forEach((block, i) => {
    if (block.type === 'header') out.push({ where: `blocks[${i}].header`, text: block.text.text, max: SLACK_LIMITS.headerText });
    if (block.type === 'section') {
      if (block.text) out.push({ where: `blocks[${i}].text`, text: block.text.text, max: SLACK_LIMITS.sectionText });
      block.fields?.forEach((f, j) => out.push({ where: `blocks[${i}].fields[${j}]`, text: f.text, max: SLACK_LIMITS.fieldText }));
    }
    if (block.type === 'context') block.elements.forEach((e, j) => out.push({ where: `blocks[${i}].elements[${j}]`, text: e.text, max: SLACK_LIMITS.fieldText }));
  });
  return out;
}

function expectNothingInjected(message: { text: string; blocks?: SlackBlock[] }): void {
  expect((message.blocks ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  // The text of all blocks together (Slack's msg_blocks_too_long): everything but the fallback.
  const blocksText = textFields(message).slice(1).reduce((n, f) => n + f.text.length, 0);
  expect(blocksText).toBeLessThanOrEqual(SLACK_LIMITS.blocksText);
  for (const field of textFields(message)) {
    expect(field.text.length, field.where).toBeLessThanOrEqual(field.max);
    const ownLinks = [...field.text.matchAll(OWN_LINK)];
    const rest = field.text.replace(OWN_LINK, '').replace(TEXT_URL_LINK, '');
    // No `<` or `>` left means no mention (<!channel>, <@U…>, <#C…>) and no link under a label of alert text's.
    expect(rest, `${field.where}: ${rest.slice(0, 200)}`).not.toMatch(/[<>]/);
    // Every & is an entity: alert text cannot smuggle a pre-escaped sequence either.
    expect(rest.replace(/&(amp|lt|gt);/g, ''), field.where).not.toContain('&');
    for (const [, href] of ownLinks) expect(href).toMatch(/^https?:\/\//);
  }
}

describe('Slack rendering of hostile alert text', () => {
  it('3,000 generated groups: no mention, channel or link markup from alert text in any text field; Slack limits hold', () => {
    fc.assert(
      fc.property(snapshotOf(fc.array(alert, { minLength: 1, maxLength: 6 })), (group) => {
        expectNothingInjected(renderSlackMessage(group));
        expectNothingInjected(renderThreadReply(group));
        expectNothingInjected({ text: renderFallbackText(group) });
      }),
      { numRuns: 3000 },
    );
  }, 120_000);

  it('groups of hundreds of alerts with 1 MB values stay within Slack limits and escaped', () => {
    const many = fc.tuple(alert, fc.integer({ min: 40, max: 400 }), bigText).map(([a, n, big]) =>
      Array.from({ length: n }, (_, i) => ({ ...a, fingerprint: `f${i}`, labels: { ...a.labels, pod: `${big.slice(0, 1000)}-${i}` }, annotations: { summary: big } })),
    );
    fc.assert(
      fc.property(snapshotOf(many), (group) => {
        expectNothingInjected(renderSlackMessage(group));
        expectNothingInjected(renderThreadReply(group));
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe('alert names in a group', () => {
  // Shared, differently cased, underscored, numeric and canonically equivalent ("é" as one code
  // point or as "e" + U+0301, which localeCompare calls equal) names, beside generated ones.
  const name = fc.oneof(text, fc.constantFrom('pod', 'Pod', 'POD', '_pod', 'pod_1', '1', '10', '2', 'namespace', 'alertname', 'severity', 'team', 'é', 'e\u0301', '__proto__', 'constructor'));
  const groupLabels = fc.dictionary(name, fc.constantFrom('a', 'b', '<!here>'), { maxKeys: 7 });
  const sameKeysAlerts = fc.array(alert, { maxLength: 8 }).chain((alerts) =>
    fc.array(groupLabels, { minLength: alerts.length, maxLength: alerts.length }).map((ls) => alerts.map((a, i) => ({ ...a, labels: ls[i]! }))),
  );

  it('named once per group, each alert is named as alertDisplayName names it alone (3,000 groups)', () => {
    fc.assert(
      fc.property(snapshotOf(sameKeysAlerts), groupLabels, (group, common) => {
        const g = { ...group, commonLabels: common };
        const nameOf = alertDisplayNamer(g);
        for (const a of g.alerts) expect(nameOf(a)).toBe(alertDisplayName(a, common));
      }),
      { numRuns: 3_000 },
    );
  });

  it('orders the distinguishing labels by name, whatever order each alert lists them in', () => {
    const a = (labels: Record<string, string>): Alert => ({ fingerprint: 'f', status: 'firing', labels, annotations: {}, startsAt: '', endsAt: null, generatorURL: '' });
    const alerts = [a({ alertname: 'Down', pod: 'p1', Node: 'n1', _x: '1', job: 'j' }), a({ job: 'j', _x: '2', Node: 'n2', pod: 'p2', alertname: 'Down' })];
    const nameOf = alertDisplayNamer({ ...fc.sample(snapshotOf(fc.constant(alerts)), 1)[0]!, commonLabels: { alertname: 'Down', job: 'j' } });
    expect(alerts.map(nameOf)).toEqual(['Down (_x=1, Node=n1, pod=p1)', 'Down (_x=2, Node=n2, pod=p2)']);
  });
});

describe('rendering cost and odd code points', () => {
  const base: GroupSnapshot = {
    groupId: 'payments:x',
    team: 'payments',
    groupKey: '{}:{alertname="Odd"}',
    receiver: 'alertgate',
    status: 'firing',
    groupLabels: {},
    commonLabels: { alertname: 'Odd', pod: 'api-\ud800' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: [{ fingerprint: 'f', status: 'firing', labels: { alertname: 'Odd' }, annotations: {}, startsAt: '2026-11-20T09:00:00Z', endsAt: null, generatorURL: '' }],
    change: { kind: 'new', added: ['f'], resolved: [] },
    dedupKey: 'dk',
  };

  it('a lone surrogate in a label (JSON "\\ud800") still renders, silence link included, for Slack and PagerDuty', () => {
    const message = renderSlackMessage(base);
    expect(JSON.stringify(message)).toContain('|Silence>');
    const event = buildPagerDutyEvent(base, 'key');
    expect(event.event_action === 'trigger' && event.links.some((l) => l.text === 'Silence in Alertmanager')).toBe(true);
  });

  it('a group of 300 alerts each with a 1 MB summary renders in well under a second', () => {
    const big = '<!channel>&'.repeat(100_000);
    const alerts = Array.from({ length: 300 }, (_, i) => ({ ...base.alerts[0]!, fingerprint: `f${i}`, labels: { alertname: 'Odd', pod: `p${i}` }, annotations: { summary: big } }));
    expectNothingInjected(renderSlackMessage({ ...base, alerts }));
    expect(fastestRunMs(() => renderSlackMessage({ ...base, alerts }), 300)).toBeLessThan(300);
  });
});

describe('PagerDuty events from huge groups', () => {
  const huge = fc.tuple(alert, fc.integer({ min: 1, max: 2000 }), fc.constantFrom(10, 1000, 100_000), fc.integer({ min: 1, max: 100 })).map(([a, n, valueSize, labelCount]) => {
    // One string of each size, shared: the alerts are big in the event, not in the test's memory.
    const value = 'v'.repeat(valueSize);
    const annotations = { summary: '😀'.repeat(valueSize), description: 'd'.repeat(valueSize) };
    const shared: Record<string, string> = { ...a.labels, alertname: 'Huge' };
    for (let k = 0; k < labelCount; k++) shared[`l${k}`] = value;
    return Array.from({ length: n }, (_, i) => ({ ...a, fingerprint: `f${i}`, labels: { ...shared, instance: `i${i}` }, annotations }));
  });

  it('300 generated groups (up to 2,000 alerts, 100 labels, 100 KB values): summary ≤ 1,024 characters, event < 512 KB', () => {
    let omitted = 0;
    fc.assert(
      fc.property(snapshotOf(fc.oneof(fc.array(alert, { minLength: 1, maxLength: 5 }), huge)), (group) => {
        const event = buildPagerDutyEvent(group, 'R0UTINGKEY');
        expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(PAGERDUTY_LIMITS.bodyBytes);
        if (event.event_action !== 'trigger') return;
        expect(event.payload.summary.length).toBeGreaterThan(0);
        expect(event.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
        // What is left out is counted, never silently dropped.
        const details = event.payload.custom_details;
        expect(details.firing.length + details.resolved.length + (details.omitted_alerts ?? 0)).toBe(group.alerts.length);
        if (details.omitted_alerts) omitted += 1;
      }),
      { numRuns: 300 },
    );
    expect(omitted).toBeGreaterThan(0);
  }, 180_000);
});
