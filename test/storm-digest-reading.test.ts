/**
 * What the on-call engineer reads during a storm, in a real gateway with the fake Slack and fake
 * PagerDuty: the digest's counts add up to the groups it says it gathered; with
 * storm.holdPagerDuty the digest says who was not paged, and who paged when the storm ended. The storm window is shortened to 3 s
 * (STORM_WINDOW_MS) so the test does not wait a real minute.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ESTATE_DIR, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
let configDir: string;
const WINDOW_MS = 3000;

beforeEach(async () => {
  fakes = await startFakes();
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-storm-reading-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
});
/** A gateway whose payments channel gets at most `max` new-group messages a (3 s) window. */
async function start(max: number, holdPagerDuty = false) {
  const routes = join(configDir, 'routes/payments.yaml');
  await writeFile(routes, (await readFile(routes, 'utf8')) + `storm:\n  maxMessagesPerMinute: ${max}\n  holdPagerDuty: ${holdPagerDuty}\n`);
  t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, STORM_WINDOW_MS: String(WINDOW_MS), STORM_TICK_MS: '200' });
}
afterEach(async () => {
  await t?.close();
  await fakes.close();
  await rm(configDir, { recursive: true, force: true });
});

const digest = () => [...fakes.slack.messages.values()].find((m) => m.text.includes('Alert storm'));
/** The digest's "Top alertnames" section, as Slack shows it. */
const topSection = () => (digest()!.blocks as { text?: { text: string } }[])[1]!.text!.text;

it('the digest says how many gathered groups are under alertnames beyond its top eight', async () => {
  await start(1);
  // One message of its own, then 12 groups gathered: KubePodCrashLooping × 3 and 9 single alertnames.
  const names = ['Own', 'KubePodCrashLooping-a', 'KubePodCrashLooping-b', 'KubePodCrashLooping-c', ...Array.from({ length: 9 }, (_, i) => `Alert${i}`)];
  for (const name of names) {
    const labelsName = name.startsWith('KubePodCrashLooping') ? 'KubePodCrashLooping' : name;
    const body = webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: labelsName, namespace: 'payments-prod', severity: 'warning', pod: name }, fingerprint: `c${name.length}${names.indexOf(name)}`.padEnd(16, '0') }]);
    expect((await t.post(body)).status).toBe(202);
  }
  await t.idle();
  expect(digest()!.text).toContain('12 new groups');
  // Eight alertnames shown (3 + 7 × 1 = 10 groups): the other 2 groups are counted, not dropped silently.
  expect(topSection()).toBe(
    ['*Top alertnames*', '• KubePodCrashLooping × 3', ...Array.from({ length: 7 }, (_, i) => `• Alert${i} × 1`), '• 2 more groups under other alertnames'].join('\n'),
  );

  // Closed, the digest still adds up.
  await waitUntil(() => digest()?.text.includes('storm over') ?? false, 15_000, 'the storm to end');
  await t.idle();
  expect(topSection()).toContain('• 2 more groups under other alertnames');
});

it('with storm.holdPagerDuty the digest says the gathered groups paged nobody while the storm lasts, and that those still firing paged at its end', async () => {
  await start(1, true);
  const critical = (name: string) =>
    webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'payments-prod', severity: 'critical' }, fingerprint: `e${name.padStart(15, '0')}` }]);
  for (const name of ['DbDown', 'ApiDown', 'QueueDown']) expect((await t.post(critical(name))).status).toBe(202);
  await t.idle();
  const summaries = () => fakes.pagerduty.events.map((e) => (e.body as { payload?: { summary: string } }).payload?.summary);
  // DbDown paged; ApiDown and QueueDown, gathered, did not: the digest is where the reader learns it.
  expect(summaries()).toEqual(['[FIRING:1] DbDown (payments)']);
  const headline = () => (digest()!.blocks as { text?: { text: string } }[])[0]!.text!.text;
  expect(headline()).toContain('2 new groups');
  expect(headline()).toContain('Their PagerDuty pages are held back (storm.holdPagerDuty): a gathered group still firing when the storm ends pages then.');
  expect(digest()!.text).toContain('PagerDuty pages are held back');

  await waitUntil(() => digest()?.text.includes('storm over') ?? false, 15_000, 'the storm to end');
  await t.idle();
  // Over: the two gathered groups still firing paged, and the digest and its thread reply say so.
  expect(summaries().sort()).toEqual(['[FIRING:1] ApiDown (payments)', '[FIRING:1] DbDown (payments)', '[FIRING:1] QueueDown (payments)']);
  expect(headline()).toContain(
    '2 still firing. :no_bell: Their PagerDuty pages were held back (storm.holdPagerDuty) until the storm ended: those still firing then paged at its end, those resolved during it paged nobody.',
  );
  expect(digest()!.replies[0]!.text).toContain('those still firing then paged at its end');
});
