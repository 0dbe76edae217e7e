/**
 * Alert text inside the message's `*bold*`: mrkdwn has no escape for `*`, `_`, `~` or a backtick,
 * so an alert name holding one (`Disk*Full`) ended the bold early and had the rest formatted
 * (a stray `*`, italics, strike-through). Checked against the fake Slack: what was posted.
 */
import { afterEach, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../testing/fake-slack.js';
import { captureLogger, makeAlert, makeDelivery, makeSnapshot } from '../notifier.case.js';
import { createSlackNotifier } from './notifier.js';

const TOKEN = 'xoxb-0000000000-secret-token-value';
let fake: FakeSlack;
afterEach(async () => {
  await fake.close();
});

/** The `*…*` spans of every mrkdwn text posted, as Slack reads them: from a `*` to the next one outside a link. */
function boldSpans(blocks: unknown): string[] {
  const texts: string[] = [];
  JSON.stringify(blocks, (key, value: unknown) => {
    if (value && typeof value === 'object' && (value as { type?: string }).type === 'mrkdwn') texts.push((value as { text: string }).text);
    return value;
  });
  // A link (`<url>`) is read whole, whatever it holds.
  return texts.flatMap((t) => [...t.matchAll(/\*((?:<[^>]*>|[^*\n<])+)\*/g)].map((m) => m[1]!));
}

it('an alert name and a summary holding *, ` or a word-edge _ or ~ stay one bold span each; a _ or ~ inside a word and a link in the summary are left as written', async () => {
  fake = await startFakeSlack({ token: TOKEN });
  const notifier = createSlackNotifier({ token: TOKEN, apiUrl: fake.url, logger: captureLogger().logger, timeoutMs: 800 });
  const name = 'Disk*Full_on~node`x _tmp';
  const summary = 'Queue *depth* above_limit ~now~, see https://wiki.example/a_b*c';
  const labels = { alertname: name, team: 'payments', severity: 'critical' };
  const annotations = { summary };
  const group = makeSnapshot({
    alerts: [makeAlert({ labels, annotations })],
    groupLabels: { alertname: name },
    commonLabels: labels,
    commonAnnotations: annotations,
  });
  const result = await notifier.notify(makeDelivery({ type: 'slack', channel: '#payments-alerts' }, { group }));
  if (!result.ok || !result.slackRef) throw new Error(`post failed: ${JSON.stringify(result)}`);
  const spans = boldSpans(fake.messages.get(result.slackRef.ts)?.blocks);
  expect(spans).toContain('Disk∗Full_on~nodeˋx ˍtmp');
  expect(spans).toContain('Queue ∗depth∗ above_limit ∼now∼, see <https://wiki.example/a_b*c>');
});
