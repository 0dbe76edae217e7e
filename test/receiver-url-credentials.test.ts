/**
 * PAGERDUTY_EVENTS_URL may carry `user:password@` for an authenticating proxy in front of
 * PagerDuty (node:http sends it as basic auth). A proxy that refuses and echoes the credentials it
 * was sent (the Authorization header, or it decoded) must not put them into `lastError`, which the
 * unauthenticated GET /v1/notifications shows, nor into the logs. Checked against a real gateway.
 */
import { describe, expect, it } from 'vitest';
import { failedPagerDutyError, useEchoingPagerDutyGateway } from './support/echoing-pagerduty.js';

const USER = 'pd-proxy-user';
const PASSWORD = 'pr0xy:pa55/w@rd';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

/** The user and password a Basic Authorization header carries, decoded ('' without one). */
function basicCredentials(auth: string): string {
  return auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
}

describe('PAGERDUTY_EVENTS_URL credentials echoed by a refusing proxy', () => {
  const seen: string[] = [];
  const s = useEchoingPagerDutyGateway(
    (req, res) => {
      const auth = req.headers.authorization ?? '';
      seen.push(auth);
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`forbidden: ${auth} (${basicCredentials(auth)}) is not allowed`);
    },
    { userinfo: `${USER}:${encodeURIComponent(PASSWORD)}` },
  );

  it('keeps them out of lastError and the logs', async () => {
    const lastError = await failedPagerDutyError(s.t, 'Proxied');
    // The proxy got the credentials, and its answer is kept, without them.
    expect(seen).toContain(`Basic ${BASIC}`);
    expect(lastError).toContain('HTTP 403');
    expect(lastError).toContain('forbidden: Basic');
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), BASIC]) {
      expect(lastError).not.toContain(secret);
      expect(s.t.logs.filter((l) => l.includes(secret))).toEqual([]);
    }
    expect(s.t.logs.some((l) => l.includes('pagerduty event failed'))).toBe(true);
  });
});

/**
 * A proxy answering JSON, as a Go one does: `/` written `\/`, `&` written `\u0026`. Blanked in
 * the raw answer only, the password was not matched there and came back in clear once the
 * answer was parsed for its message; and the message was cut before blanking, so a secret across
 * the cut would have been left as a prefix nothing matched.
 */
describe('PAGERDUTY_EVENTS_URL credentials echoed JSON-escaped by a refusing proxy', () => {
  const JSON_PASSWORD = 'pr0xy:pa55/w@rd&x';
  const s = useEchoingPagerDutyGateway(
    (req, res) => {
      const decoded = basicCredentials(req.headers.authorization ?? '');
      const escaped = JSON.stringify({ message: `denied ${decoded}`, errors: [`${'x'.repeat(235)} ${decoded}`] })
        .replace(/\//g, '\\/')
        .replace(/&/g, '\\u0026');
      res.writeHead(403, { 'content-type': 'application/json' }).end(escaped);
    },
    { userinfo: `${USER}:${encodeURIComponent(JSON_PASSWORD)}` },
  );

  it('keeps them out of lastError', async () => {
    const lastError = await failedPagerDutyError(s.t, 'ProxiedJson');
    expect(lastError).toContain('HTTP 403');
    expect(lastError).toContain(`denied ${USER}:[REDACTED]`);
    // Neither the password nor any long piece of it (what a cut would leave).
    for (const piece of [JSON_PASSWORD, JSON_PASSWORD.slice(0, 8), JSON_PASSWORD.slice(-8)]) {
      expect(lastError).not.toContain(piece);
      expect(s.t.logs.filter((l) => l.includes(piece))).toEqual([]);
    }
  });
});
