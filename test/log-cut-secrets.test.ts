/**
 * The request texts the `no route for this path` and `webhook refused` lines copy (a path, a user
 * agent) are cut to 200 characters, and a secret in them must be blanked before that cut: the
 * logger blanks every known secret in the finished line, but a token straddling the cut is left
 * there as a prefix (all but its last characters) that no longer matches it. Checked against a
 * real gateway over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

/** How much of a request's text a line keeps (http/refusal-log.ts REFUSAL_TEXT_MAX). */
const CUT = 200;
/** The token's first characters, what a cut through it would leave. */
const TOKEN_PREFIX = WEBHOOK_TOKEN.slice(0, WEBHOOK_TOKEN.length - 4);

let fakes: Fakes;
let t: TestGateway;
let clock = 0;

beforeAll(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes, {}, { refusalLogNow: () => clock });
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

/** A text whose CUT-th character falls inside the token. */
const straddling = (lead: string) => `${lead}${'x'.repeat(CUT - lead.length - (WEBHOOK_TOKEN.length - 4))}${WEBHOOK_TOKEN}/tail`;

function linesStartingWith(from: number, msg: string): Record<string, unknown>[] {
  return t.logs
    .slice(from)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => String(l.msg).startsWith(msg));
}

describe('a secret straddling the cut of a logged request text', () => {
  it('is blanked in the path of a `no route for this path` line', async () => {
    clock += 60_000;
    const from = t.logs.length;
    const path = straddling('/webhooks/');
    const res = await fetch(`${t.gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    const [line] = linesStartingWith(from, 'no route for this path');
    expect(line?.path).toMatch(/^\/webhooks\/x+\[REDACTED\]/);
    expect(t.logs.slice(from).join('\n')).not.toContain(TOKEN_PREFIX);
  });

  it('is blanked in the user agent of a `webhook refused` line', async () => {
    clock += 60_000;
    const from = t.logs.length;
    const res = await fetch(`${t.gw.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: 'Bearer a-wrong-token', 'content-type': 'application/json', 'user-agent': straddling('Alertmanager/0.28.1 ') },
      body: JSON.stringify(webhook('{}:{alertname="X"}', [{ labels: { alertname: 'X' } }])),
    });
    expect(res.status).toBe(401);
    const [line] = linesStartingWith(from, 'webhook refused');
    expect(line?.userAgent).toMatch(/^Alertmanager\/0\.28\.1 x+\[REDACTED\]/);
    expect(t.logs.slice(from).join('\n')).not.toContain(TOKEN_PREFIX);
  });
});
