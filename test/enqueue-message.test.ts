/**
 * Pre-rendered messages (uptime summaries, digests) go through the durable outbox: a key is posted
 * once however often it is enqueued, and `replace` edits the same Slack message in place.
 */
import { describe, expect, it } from 'vitest';
import { enqueueMessage } from '../src/pipeline/enqueue-message.js';
import type { Fakes, TestGateway } from './support/gateway.js';
import { withGatewayPerTest } from './support/gateway-hooks.js';

let fakes: Fakes;
let t: TestGateway;
withGatewayPerTest((started) => ({ fakes, t } = started));

describe('enqueueMessage', () => {
  it('posts a key once, even when enqueued concurrently', async () => {
    const req = { team: 'payments', channel: '#payments-leads', key: 'report:payments:2026-10', message: { text: 'October uptime: 99.95%' } };
    const results = await Promise.all([enqueueMessage(t.gw.store, req), enqueueMessage(t.gw.store, req), enqueueMessage(t.gw.store, req)]);
    expect(results.filter((r) => r.enqueued)).toHaveLength(1);
    t.gw.worker.wake();
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    expect(post.body).toMatchObject({ channel: '#payments-leads', text: 'October uptime: 99.95%' });
    await t.idle();
    expect(fakes.slack.requests.filter((r) => r.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('with replace, edits the same message without a thread reply', async () => {
    const base = { team: 'payments', channel: '#payments-alerts', key: 'digest:payments:1', replace: true };
    await enqueueMessage(t.gw.store, { ...base, message: { text: 'Storm: 21 groups' } });
    t.gw.worker.wake();
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    await enqueueMessage(t.gw.store, { ...base, message: { text: 'Storm: 40 groups' } });
    t.gw.worker.wake();
    const update = await fakes.slack.waitFor((r) => r.method === 'chat.update');
    await t.idle();
    const [message] = [...fakes.slack.messages.values()];
    expect(update.body.ts).toBe(message!.ts);
    expect(message!.text).toBe('Storm: 40 groups');
    expect(message!.replies).toHaveLength(0);
  });
});
