/**
 * A forwarder on 127.0.0.1 between one Alertmanager and the gateway's webhook endpoint that can
 * hold back the webhooks a predicate picks until the test releases them: a slow network path,
 * or a peer's notification retried after a failed attempt, arriving after newer ones of another
 * peer. Everything else passes straight through, headers (the bearer token) included.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The parts of an Alertmanager webhook body tests look at. */
export interface HeldWebhook {
  status: 'firing' | 'resolved';
  groupKey: string;
  alerts: { status: string; startsAt: string; endsAt: string; labels: Record<string, string> }[];
}

export interface WebhookHold {
  /** The URL to give Alertmanager as its webhook URL. */
  url: string;
  /** Webhooks forwarded so far, with the gateway's answer, in order of that answer. */
  forwarded: { body: HeldWebhook; status: number }[];
  /** Webhooks held back now. */
  readonly held: number;
  /** From now on, hold back the webhooks `pick` chooses. */
  hold(pick: (body: HeldWebhook) => boolean): void;
  /** Stop holding and forward what was held, in arrival order; resolves with the gateway's answers. */
  release(): Promise<number[]>;
  /** Resolves once a forwarded webhook (past or future) matches, with the gateway's answer. */
  waitForwarded(match: (body: HeldWebhook) => boolean, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startWebhookHold(gatewayWebhookUrl: string): Promise<WebhookHold> {
  const target = new URL(gatewayWebhookUrl);
  let pick: ((body: HeldWebhook) => boolean) | undefined;
  const held: (() => Promise<number>)[] = [];
  const forwarded: WebhookHold['forwarded'] = [];
  const waiters = new Set<() => void>();

  const forward = (req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): Promise<number> =>
    new Promise((resolve, reject) => {
      const out = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const status = answer.statusCode ?? 0;
          forwarded.push({ body: JSON.parse(raw.toString('utf8')) as HeldWebhook, status });
          for (const w of waiters) w();
          res.writeHead(status, { 'content-type': answer.headers['content-type'] ?? 'application/json' }).end(Buffer.concat(chunks));
          resolve(status);
        });
      });
      out.on('error', reject);
      out.end(raw);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (pick?.(JSON.parse(raw.toString('utf8')) as HeldWebhook)) held.push(() => forward(req, raw, res));
      else void forward(req, raw, res).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/alertmanager`,
    forwarded,
    get held() {
      return held.length;
    },
    hold(p) {
      pick = p;
    },
    async release() {
      pick = undefined;
      const answers: number[] = [];
      for (const send of held.splice(0)) answers.push(await send());
      return answers;
    },
    waitForwarded(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = forwarded.find((f) => match(f.body));
          if (hit === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit.status);
        };
        const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`no matching webhook forwarded within ${timeoutMs} ms (${forwarded.length} forwarded)`))), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
