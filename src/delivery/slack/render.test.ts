import { describe, expect, it } from 'vitest';
import { makeAlert, makeSnapshot } from '../notifier.case.js';
import { escapeSlack, escapeSlackLinkingUrls, escapeSlackUrl, slackLink, truncateSlack } from './escape.js';
import { slackLimitError } from '../../testing/slack-limits.js';
import { renderCompactSlackMessage, renderFallbackText, renderSlackMessage, renderThreadReply, SLACK_LIMITS, type SlackBlock } from './render.js';

const EVIL = '<!channel> <https://evil.example|click>';
const EVIL_ESCAPED = '&lt;!channel&gt; &lt;https://evil.example|click&gt;';

/** Every `text` string a Slack client would render, with where it sits. */
function textFields(message: { text: string; blocks?: SlackBlock[] }): { where: string; text: string }[] {
  const out = [{ where: 'text', text: message.text }];
  (message.blocks ?? []).forEach((block, i) => {
    if (block.type === 'header') out.push({ where: `blocks[${i}].text`, text: block.text.text });
    if (block.type === 'section') {
      if (block.text) out.push({ where: `blocks[${i}].text`, text: block.text.text });
      block.fields?.forEach((f, j) => out.push({ where: `blocks[${i}].fields[${j}]`, text: f.text }));
    }
    if (block.type === 'context') block.elements.forEach((e, j) => out.push({ where: `blocks[${i}].elements[${j}]`, text: e.text }));
  });
  return out;
}

/** Every mrkdwn text object in `blocks`, wherever it sits. */
function mrkdwnObjects(blocks: unknown): { text: string; verbatim?: unknown }[] {
  const out: { text: string; verbatim?: unknown }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if ((v as { type?: unknown }).type === 'mrkdwn') out.push(v as { text: string; verbatim?: unknown });
      Object.values(v).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

function sectionTexts(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

describe('escapeSlack', () => {
  it('escapes &, < and > so nothing can mention or link', () => {
    expect(escapeSlack(EVIL)).toBe(EVIL_ESCAPED);
    expect(escapeSlack('a & b <@U123> >x')).toBe('a &amp; b &lt;@U123&gt; &gt;x');
    // & first: an already-escaped entity is shown literally, not decoded into markup
    expect(escapeSlack('&lt;!here&gt;')).toBe('&amp;lt;!here&amp;gt;');
  });

  it('keeps our own links intact but neutralises < > | in their URLs', () => {
    expect(escapeSlackUrl('https://x.example/a?b=<c>|d&e=f g')).toBe('https://x.example/a?b=%3Cc%3E%7Cd&amp;e=f%20g');
    expect(slackLink('https://x.example/?q=a|b', 'Runbook')).toBe('<https://x.example/?q=a%7Cb|Runbook>');
  });

  it('truncates without cutting an entity or a link in half', () => {
    expect(truncateSlack('abcdefgh', 5)).toBe('abcd…');
    expect(truncateSlack('ab&amp;cdef', 5)).toBe('ab…');
    expect(truncateSlack('short', 10)).toBe('short');
    expect(truncateSlack('see <https://x.example/long/path> now', 12)).toBe('see …');
  });

  it('makes the http(s) URLs written in alert text links (messages are verbatim, so Slack links none itself), escaping the rest', () => {
    expect(escapeSlackLinkingUrls('See https://grafana.example/d/abc?from=now-1h&to=now. Then <!here>')).toBe(
      'See <https://grafana.example/d/abc?from=now-1h&amp;to=now>. Then &lt;!here&gt;',
    );
    expect(escapeSlackLinkingUrls('(runbook: https://x.example/r|b)')).toBe('(runbook: <https://x.example/r%7Cb>)');
    // Not URLs: another scheme, no host.
    expect(escapeSlackLinkingUrls('javascript:alert(1) ftp://x.example https:// done')).toBe('javascript:alert(1) ftp://x.example https:// done');
    expect(escapeSlackLinkingUrls('no links & plain')).toBe('no links &amp; plain');
    // A bracket the URL opened is part of it; one that closes the sentence is not.
    expect(escapeSlackLinkingUrls('(see https://wiki.example/Foo_(bar)).')).toBe('(see <https://wiki.example/Foo_(bar)>).');
  });
});

describe('renderSlackMessage', () => {
  it('shows FIRING with emoji and word, alertname, team, severity, summary', () => {
    const message = renderSlackMessage(makeSnapshot());
    const header = message.blocks?.[0];
    expect(header).toEqual({
      type: 'header',
      text: { type: 'plain_text', emoji: true, text: ':rotating_light: FIRING: KubePodCrashLooping' },
    });
    const all = textFields(message).map((f) => f.text).join('\n');
    expect(all).toContain('*Team*\npayments');
    expect(all).toContain('*Severity*\ncritical');
    expect(all).toContain('Pod is crash looping');
    expect(all).toContain('pod=checkout-7d9f-abcde');
    expect(message.text).toBe('FIRING: KubePodCrashLooping (team payments, severity critical, 1 firing) — Pod is crash looping');
  });

  it('shows RESOLVED (word and emoji) when every alert is resolved', () => {
    const group = makeSnapshot({
      alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })],
      change: { kind: 'resolved', added: [], resolved: ['a1b2c3d4e5f60718'] },
    });
    const message = renderSlackMessage(group);
    expect(message.blocks?.[0]).toMatchObject({ text: { text: ':white_check_mark: RESOLVED: KubePodCrashLooping' } });
    expect(message.text.startsWith('RESOLVED: KubePodCrashLooping')).toBe(true);
    expect(sectionTexts(message.blocks ?? []).join('\n')).toContain(':large_green_circle: RESOLVED *KubePodCrashLooping (pod=checkout-7d9f-abcde)* ended 2026-10-01 10:00 UTC');
  });

  it('escapes a hostile label value in every text field it reaches', () => {
    const hostile = { alertname: EVIL, team: 'payments', severity: EVIL, namespace: EVIL, pod: EVIL };
    const annotations = { summary: EVIL, description: `${EVIL} more`, message: EVIL };
    const group = makeSnapshot({
      groupKey: `{}:{alertname="${EVIL}"}`,
      groupLabels: { alertname: EVIL },
      commonLabels: hostile,
      commonAnnotations: annotations,
      alerts: [
        makeAlert({ labels: { ...hostile, instance: EVIL }, annotations: { ...annotations, summary: `${EVIL} (own)` } }),
        makeAlert({ fingerprint: 'f2', labels: { ...hostile, instance: 'other' }, annotations }),
      ],
      change: { kind: 'changed', added: ['f2'], resolved: [] },
    });
    const message = renderSlackMessage(group);
    const reply = renderThreadReply(group);
    const fields = [...textFields(message), ...textFields(reply).map((f) => ({ ...f, where: `reply.${f.where}` }))];

    for (const { where, text } of fields) {
      expect(text, where).not.toContain('<!channel>');
      // A URL written in alert text may be linked as itself (escapeSlackLinkingUrls), never under a label of the alert's.
      expect(text, where).not.toMatch(/<https:\/\/evil\.example[^>]*\|/);
      expect(text, where).not.toContain('|click>');
    }
    // It is shown, escaped, wherever alert text appears: header, fields, summary, labels,
    // every alert, footer, fallback and the thread reply.
    // In annotations (summary, description, an alert's own), its URL is linked as itself.
    const linked = '&lt;!channel&gt; &lt;<https://evil.example%7Cclick>&gt;';
    const showing = fields.filter((f) => f.text.includes(EVIL_ESCAPED) || f.text.includes(linked)).map((f) => f.where);
    expect(showing).toEqual(
      expect.arrayContaining(['text', 'blocks[0].text', 'blocks[1].fields[2]', 'blocks[2].text', 'blocks[3].text', 'blocks[6].text', 'blocks[7].text', 'blocks[8].elements[0]', 'reply.text']),
    );
  });

  it('marks every mrkdwn text verbatim, so Slack parses no mention written as plain text (@channel, @here) in alert text', () => {
    // Escaping `<`, `>`, `&` stops `<!channel>`; Slack's default for a block's mrkdwn text
    // (verbatim false) still "automatically parses" certain mentions written out, so an
    // annotation saying `@channel` could notify the whole channel.
    const plain = '@channel @here @everyone #general';
    const group = makeSnapshot({
      commonLabels: { alertname: plain, severity: plain, team: 'payments' },
      commonAnnotations: { summary: plain, runbook_url: 'https://runbooks.example/x' },
      alerts: [makeAlert({ labels: { alertname: plain, pod: plain }, annotations: { summary: `${plain} (own)` } })],
      truncatedAlerts: 2,
    });
    for (const message of [renderSlackMessage(group), renderCompactSlackMessage(group, 'invalid_blocks')]) {
      const texts = mrkdwnObjects(message.blocks);
      expect(texts.length).toBeGreaterThan(5);
      expect(texts.filter((t) => t.verbatim !== true)).toEqual([]);
      // Our own links are still links: Slack reads `<url|label>` under verbatim too.
      expect(texts.map((t) => t.text).join('\n')).toContain('<https://runbooks.example/x|Runbook>');
    }
  });

  it('keeps each label inside its code span: a backtick or a line break in a label cannot end it and format what follows', () => {
    // Without this, `x` *RESOLVED* `` would print RESOLVED in bold outside the code, and a line
    // break a line of the label's own (`*Status*` and RESOLVED, as the fields show them).
    const group = makeSnapshot({
      commonLabels: { alertname: 'A', team: 'payments', pod: 'x` *RESOLVED* `', note: 'a\n*Status*\r\nRESOLVED' },
    });
    const labels = sectionTexts(renderSlackMessage(group).blocks ?? []).find((t) => t.startsWith('*Labels:*'));
    expect(labels).toBe('*Labels:* `alertname=A` `note=a↵*Status*↵RESOLVED` `pod=xˋ *RESOLVED* ˋ` `team=payments`');
  });

  it('links runbook, dashboard, source and an Alertmanager silence for the common labels', () => {
    const group = makeSnapshot({
      commonAnnotations: {
        summary: 's',
        runbook_url: 'https://runbooks.example/crash?x=1|2',
        dashboard_url: 'https://grafana.example/d/abc?var=<b>',
      },
      commonLabels: { alertname: 'KubePodCrashLooping', team: 'payments', namespace: 'payments "prod"' },
      externalURL: 'http://alertmanager.example:9093/',
    });
    const links = sectionTexts(renderSlackMessage(group).blocks ?? []).find((t) => t.includes('|Runbook>'));
    const filter = encodeURIComponent('{alertname="KubePodCrashLooping",namespace="payments \\"prod\\"",team="payments"}');
    expect(links).toBe(
      [
        '<https://runbooks.example/crash?x=1%7C2|Runbook>',
        '<https://grafana.example/d/abc?var=%3Cb%3E|Dashboard>',
        '<http://prometheus.example/graph?g0.expr=up|Source>',
        `<http://alertmanager.example:9093/#/silences/new?filter=${filter}|Silence>`,
      ].join(' · '),
    );
  });

  it('links the URLs written in the summary, the description and an alert\'s own annotation, not those in labels', () => {
    const group = makeSnapshot({
      commonLabels: { alertname: 'A', team: 'payments', severity: 'critical', pod: 'https://label.example/p' },
      commonAnnotations: { summary: 'Errors up', description: 'Logs: https://logs.example/q?a=1&b=2.' },
      alerts: [makeAlert({ labels: { alertname: 'A', pod: 'https://label.example/p' }, annotations: { summary: 'see https://own.example/x' } })],
    });
    const all = textFields(renderSlackMessage(group)).map((f) => f.text).join('\n');
    expect(all).toContain('Logs: <https://logs.example/q?a=1&amp;b=2>.');
    expect(all).toContain('see <https://own.example/x>');
    expect(all).not.toContain('<https://label.example');
  });

  it('does not turn non-http annotation URLs into links', () => {
    const group = makeSnapshot({ commonAnnotations: { summary: 's', runbook_url: 'javascript:alert(1)' } });
    const all = textFields(renderSlackMessage(group)).map((f) => f.text).join('\n');
    expect(all).not.toContain('javascript:');
  });

  it('stays within Slack limits and says how many alerts were left out', () => {
    const firing = Array.from({ length: 150 }, (_, i) =>
      makeAlert({
        fingerprint: `f${i}`,
        labels: { alertname: 'X'.repeat(400), pod: `pod-${i}` },
        annotations: { summary: `${'y'.repeat(5000)} ${i}` },
        generatorURL: `https://prometheus.example/graph?g0.expr=${'q'.repeat(i * 40)}`,
      }),
    );
    const resolved = Array.from({ length: 50 }, (_, i) => makeAlert({ fingerprint: `r${i}`, status: 'resolved', labels: { alertname: 'X', pod: `old-${i}` } }));
    const group = makeSnapshot({
      alerts: [...resolved, ...firing],
      commonLabels: { team: 'payments' },
      commonAnnotations: { summary: 'z'.repeat(10_000) },
    });
    const message = renderSlackMessage(group);
    const blocks = message.blocks ?? [];
    expect(blocks.length).toBe(SLACK_LIMITS.blocks);
    const header = blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    for (const text of sectionTexts(blocks)) {
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      // Links are whole or absent, never cut.
      expect(text.split('<').length).toBe(text.split('>').length);
    }
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);

    const alertSections = sectionTexts(blocks).filter((t) => t.startsWith(':red_circle:') || t.startsWith(':large_green_circle:'));
    // Firing alerts are listed first; all hidden ones are counted.
    expect(alertSections.every((t) => t.startsWith(':red_circle:'))).toBe(true);
    const more = blocks.at(-2);
    expect(more?.type === 'context' && more.elements[0]?.text).toBe(
      `…and ${200 - alertSections.length} more (${150 - alertSections.length} firing, 50 resolved)`,
    );
  });

  it('lists every alert when they fit, with no "more" line', () => {
    const alerts = Array.from({ length: 5 }, (_, i) => makeAlert({ fingerprint: `f${i}`, labels: { alertname: 'A', pod: `p${i}` } }));
    const blocks = renderSlackMessage(makeSnapshot({ alerts })).blocks ?? [];
    expect(sectionTexts(blocks).filter((t) => t.startsWith(':red_circle:'))).toHaveLength(5);
    expect(JSON.stringify(blocks)).not.toContain('more (');
  });
});

describe('renderSlackMessage within the text Slack takes for all blocks together (msg_blocks_too_long)', () => {
  /** Characters of text in all blocks, counted independently of the renderer. */
  const totalText = (blocks: SlackBlock[]) => textFields({ text: '', blocks }).reduce((n, f) => n + f.text.length, 0);
  const long = (i: number) =>
    `Pod payments-prod/checkout-api-${i} (container app) is in waiting state (reason: "CrashLoopBackOff") & restarting ${'again and '.repeat(120)}`;
  /** `n` alerts; with `someResolved`, every second one is resolved. */
  const group = (n: number, someResolved = false) =>
    makeSnapshot({
      alerts: Array.from({ length: n }, (_, i) =>
        makeAlert({
          fingerprint: `f${i}`,
          status: someResolved && i % 2 === 1 ? 'resolved' : 'firing',
          endsAt: someResolved && i % 2 === 1 ? '2026-10-01T10:00:00Z' : null,
          labels: { alertname: 'KubePodCrashLooping', team: 'payments', severity: 'critical', pod: `checkout-api-7d9f8b6c5-${i}` },
          annotations: { summary: long(i), description: long(i) },
          generatorURL: `https://prometheus.example/graph?g0.expr=${'increase(kube_pod_container_status_restarts_total[10m])'.repeat(3)}&i=${i}`,
        }),
      ),
      commonLabels: { alertname: 'KubePodCrashLooping', team: 'payments', severity: 'critical', namespace: 'payments-prod', container: 'app' },
      commonAnnotations: { summary: 'Pod is crash looping.', description: 'd'.repeat(5000), runbook_url: 'https://runbooks.example/kubepodcrashlooping' },
      groupKey: `{}:{alertname="KubePodCrashLooping",${'x'.repeat(3000)}}`,
      truncatedAlerts: 7,
    });

  it.each([1, 40, 500])('%i alerts with long annotations: at most 11,000 characters, header, status, counts, links and footer kept', (n) => {
    const message = renderSlackMessage(group(n, true));
    const blocks = message.blocks ?? [];
    expect(totalText(blocks)).toBeLessThanOrEqual(SLACK_LIMITS.blocksText);
    expect(SLACK_LIMITS.blocksText).toBeLessThanOrEqual(11_000);
    expect(slackLimitError(message.text, blocks)).toBeUndefined();
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);

    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: ':rotating_light: FIRING: KubePodCrashLooping' } });
    const all = textFields(message).map((f) => f.text).join('\n');
    const firing = Math.ceil(n / 2);
    expect(all).toContain('*Status*\nFIRING');
    expect(all).toContain(`*Alerts*\n${firing} firing${n > 1 ? `, ${n - firing} resolved` : ''}`);
    expect(all).toContain('|Runbook>');
    expect(all).toContain('|Silence>');
    expect(all).toContain('left 7 alerts of this group out');
    expect(blocks.at(-1)).toMatchObject({ type: 'context', elements: [{ text: expect.stringMatching(/^alertgate · group /) }] });

    // Alerts shown and alerts counted in "…and N more" are all of them.
    const shown = sectionTexts(blocks).filter((t) => /^:(red|large_green)_circle:/.test(t)).length;
    const more = all.match(/…and (\d+) more \((\d+) firing, (\d+) resolved\)/);
    expect(shown + Number(more?.[1] ?? 0)).toBe(n);
    if (n === 500) {
      expect(more).not.toBeNull();
      // The budget went to as many alerts as it could, each cut short (no alert section gets 1,000).
      expect(shown).toBeGreaterThanOrEqual(30);
    }
    for (const text of sectionTexts(blocks)) expect(text.split('<').length).toBe(text.split('>').length);
  });

  it('the compact message (sent when Slack refuses the full one) is small whatever the group, and keeps header, counts, links and footer', () => {
    const message = renderCompactSlackMessage(group(500, true), 'msg_blocks_too_long');
    expect(totalText(message.blocks)).toBeLessThan(3500);
    expect(slackLimitError(message.text, message.blocks)).toBeUndefined();
    const all = textFields(message).map((f) => f.text).join('\n');
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: ':rotating_light: FIRING: KubePodCrashLooping' } });
    expect(all).toContain('*Alerts*\n250 firing, 250 resolved');
    expect(all).toContain('`msg_blocks_too_long`');
    expect(all).toContain('|Silence>');
    expect(all).not.toContain('CrashLoopBackOff');
    expect(message.blocks.at(-1)).toMatchObject({ type: 'context', elements: [{ text: expect.stringMatching(/^alertgate · group /) }] });
  });

  it("the compact message shows the refusal inside its code span whatever it holds: a backtick or a line break cannot end the span", () => {
    const message = renderCompactSlackMessage(group(1), 'odd`*bold*\n<!channel>');
    const note = textFields(message).map((f) => f.text).find((t) => t.includes('Slack refused'));
    expect(note).toBe(":warning: Slack refused this group's full message (`oddˋ*bold*↵&lt;!channel&gt;`): its alerts are left out here, the links below lead to them.");
  });

  it('one alert keeps its section whole; many share the budget, shorter each', () => {
    const sizes = [1, 10, 40].map((n) => {
      const blocks = renderSlackMessage(group(n)).blocks ?? [];
      const alerts = sectionTexts(blocks).filter((t) => t.startsWith(':red_circle:'));
      return Math.max(...alerts.map((t) => t.length));
    });
    expect(sizes[0]).toBeGreaterThan(900);
    expect(sizes[1]).toBeGreaterThan(sizes[2]!);
    expect(sizes[2]).toBeLessThan(300);
  });
});

describe('renderSlackMessage of a group Alertmanager truncated (webhook max_alerts)', () => {
  const contextTexts = (blocks: SlackBlock[]) => blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : []));

  it('says how many alerts Alertmanager left out of its notification', () => {
    const blocks = renderSlackMessage(makeSnapshot({ truncatedAlerts: 3 })).blocks ?? [];
    expect(contextTexts(blocks)).toContain(
      ':warning: Alertmanager left 3 alerts of this group out of its notification (webhook `max_alerts`): this message may not show them all.',
    );
    expect(blocks.at(-1)).toMatchObject({ type: 'context', elements: [{ text: expect.stringContaining('alertgate · group') }] });
    expect(contextTexts(renderSlackMessage(makeSnapshot({ truncatedAlerts: 1 })).blocks ?? []).join('\n')).toContain('left 1 alert of this group out');
  });

  it('says nothing of it when Alertmanager sent the whole group', () => {
    expect(JSON.stringify(renderSlackMessage(makeSnapshot()).blocks)).not.toContain('max_alerts');
  });

  it('keeps the note and the "more" line within Slack\'s 50 blocks', () => {
    const alerts = Array.from({ length: 80 }, (_, i) => makeAlert({ fingerprint: `f${i}`, labels: { alertname: 'A', pod: `p${i}` } }));
    const blocks = renderSlackMessage(makeSnapshot({ alerts, truncatedAlerts: 500 })).blocks ?? [];
    expect(blocks.length).toBe(SLACK_LIMITS.blocks);
    const texts = contextTexts(blocks);
    expect(texts.some((t) => t.startsWith('…and '))).toBe(true);
    expect(texts.some((t) => t.includes('left 500 alerts'))).toBe(true);
  });
});

describe('renderThreadReply', () => {
  const a = makeAlert({ fingerprint: 'fa', labels: { alertname: 'A', pod: 'p1' } });
  const b = makeAlert({ fingerprint: 'fb', labels: { alertname: 'A', pod: 'p2' }, status: 'resolved' });

  it('names new and resolved alerts', () => {
    const group = makeSnapshot({ alerts: [a, b], commonLabels: { alertname: 'A' }, change: { kind: 'changed', added: ['fa'], resolved: ['fb'] } });
    expect(renderThreadReply(group).text).toBe(
      ':red_circle: 1 new alert: A (pod=p1)\n:large_green_circle: 1 alert resolved: A (pod=p2)\nNow 1 firing, 1 resolved.',
    );
  });

  it('says RESOLVED when all alerts are resolved', () => {
    const group = makeSnapshot({ alerts: [b], commonLabels: { alertname: 'A' }, change: { kind: 'resolved', added: [], resolved: ['fb'] } });
    expect(renderThreadReply(group).text).toBe(':white_check_mark: RESOLVED: all alerts resolved (A (pod=p2))');
  });

  it('says still firing on a repeat', () => {
    const group = makeSnapshot({ alerts: [a], change: { kind: 'repeat', added: [], resolved: [] } });
    expect(renderThreadReply(group).text).toBe(':repeat: Still firing (repeat): 1 alert');
  });

  it('caps long name lists with "and N more"', () => {
    const many = Array.from({ length: 8 }, (_, i) => makeAlert({ fingerprint: `n${i}`, labels: { alertname: 'A', pod: `p${i}` } }));
    const group = makeSnapshot({ alerts: many, commonLabels: { alertname: 'A' }, change: { kind: 'changed', added: many.map((m) => m.fingerprint), resolved: [] } });
    expect(renderThreadReply(group).text).toContain('8 new alerts: A (pod=p0), A (pod=p1), A (pod=p2), A (pod=p3), A (pod=p4) and 3 more');
  });
});

describe('renderFallbackText', () => {
  it('falls back to the message annotation when there is no summary', () => {
    const group = makeSnapshot({ commonAnnotations: { message: 'disk full' }, alerts: [makeAlert({ annotations: {} }), makeAlert({ fingerprint: 'x', annotations: {} })] });
    expect(renderFallbackText(group)).toContain('— disk full');
  });
});
