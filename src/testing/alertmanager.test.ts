/**
 * @module testing/alertmanager.test
 * Proves the harness drives a real Alertmanager the way production does: webhooks v4 with the
 * bearer token, resolved notifications, and an HA pair that forms a cluster.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  startAlertmanager,
  startAlertmanagerCluster,
  type AlertmanagerCluster,
  type AlertmanagerProcess,
} from './alertmanager.js';
import { requireBinary } from './binaries.js';

interface WebhookBody {
  version: string;
  status: 'firing' | 'resolved';
  groupKey: string;
  alerts: { status: string; labels: Record<string, string> }[];
}
interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: WebhookBody;
}

/** A webhook endpoint on 127.0.0.1 whose deliveries tests can await. */
class Receiver {
  readonly received: ReceivedWebhook[] = [];
  private waiters: { match: (w: ReceivedWebhook) => boolean; resolve: (w: ReceivedWebhook) => void }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const webhook = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody };
      this.received.push(webhook);
      const matched = this.waiters.filter((w) => w.match(webhook));
      this.waiters = this.waiters.filter((w) => !matched.includes(w));
      for (const waiter of matched) waiter.resolve(webhook);
      res.writeHead(200).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Resolves with the first webhook (already received or future) that matches. */
  waitFor(match: (w: ReceivedWebhook) => boolean): Promise<ReceivedWebhook> {
    const seen = this.received.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const hasAlert = (alertname: string, status: string) => (w: ReceivedWebhook) =>
  w.body.status === status && w.body.alerts.some((a) => a.labels['alertname'] === alertname);

const binary = requireBinary('prometheus-alertmanager');

describe.skipIf(binary === undefined)('real Alertmanager harness', () => {
  let receiver: Receiver;
  let webhookUrl: string;
  let running: (AlertmanagerProcess | AlertmanagerCluster)[] = [];

  beforeAll(async () => {
    receiver = new Receiver();
    webhookUrl = await receiver.listen();
  });
  afterEach(async () => {
    await Promise.all(running.map((am) => am.stop()));
    running = [];
  });
  afterAll(async () => {
    await receiver.close();
  });

  test('posts a v4 webhook with the bearer token, then a resolved one', async () => {
    const am = await startAlertmanager({ webhookUrl, bearerToken: 's3cret-token' });
    running.push(am);
    const alert = { labels: { alertname: 'HarnessFiring', namespace: 'payments-prod', severity: 'critical' } };

    await am.postAlerts([alert]);
    expect((await am.getAlerts()).map((a) => a.labels['alertname'])).toEqual(['HarnessFiring']);
    const firing = await receiver.waitFor(hasAlert('HarnessFiring', 'firing'));
    expect(firing.headers.authorization).toBe('Bearer s3cret-token');
    expect(firing.body.version).toBe('4');
    expect(firing.body.alerts).toHaveLength(1);

    await am.resolveAlerts([alert]);
    const resolved = await receiver.waitFor(hasAlert('HarnessFiring', 'resolved'));
    expect(resolved.body.groupKey).toBe(firing.body.groupKey);
    expect(resolved.body.alerts[0]?.status).toBe('resolved');
  });

  test('sends no Authorization header when no token is configured', async () => {
    const am = await startAlertmanager({ webhookUrl });
    running.push(am);
    await am.postAlerts([{ labels: { alertname: 'HarnessNoToken' } }]);
    const webhook = await receiver.waitFor(hasAlert('HarnessNoToken', 'firing'));
    expect(webhook.headers.authorization).toBeUndefined();
  });

  test('an HA pair forms a cluster of 2 and delivers an alert posted to both', async ({ annotate }) => {
    const cluster = await startAlertmanagerCluster(2, { webhookUrl, bearerToken: 'ha-token' });
    running.push(cluster);
    for (const member of cluster.members) {
      const status = await member.clusterStatus();
      expect(status.status).toBe('ready');
      expect(status.peers?.map((p) => p.address).sort()).toEqual(
        cluster.members.map((m) => m.clusterAddress).sort(),
      );
    }

    await cluster.postAlerts([{ labels: { alertname: 'HarnessCluster', namespace: 'prisons' } }]);
    const webhook = await receiver.waitFor(hasAlert('HarnessCluster', 'firing'));
    expect(webhook.headers.authorization).toBe('Bearer ha-token');
    // Both peers may notify (HA dedup is best effort); the gateway must cope either way.
    await annotate(
      `webhooks from the cluster so far: ${receiver.received.filter(hasAlert('HarnessCluster', 'firing')).length}`,
    );
  });
});
