/**
 * A receiver (or a proxy in front of it) that quotes our secret back in a long error answer: the
 * excerpt alertgate keeps in `lastError` (GET /v1/notifications) and its logs is cut to a few
 * hundred characters, and redaction must come before that cut. Cut first, a routing key or token
 * straddling the cut survives as a prefix (all but its last characters) that no longer matches it.
 */
import { describe, expect, it } from 'vitest';
import { classifySlackAnswer } from '../src/delivery/slack/errors.js';
import { failedPagerDutyError, useEchoingPagerDutyGateway } from './support/echoing-pagerduty.js';
import { PD_PAYMENTS_KEY } from './support/gateway.js';

/** The excerpt of a PagerDuty explanation is 300 characters long (delivery/pagerduty/client.ts). */
const PD_EXCERPT = 300;

describe('PagerDuty quoting the routing key across the excerpt cut', () => {
  const s = useEchoingPagerDutyGateway((req, res) => {
    req.on('end', () => {
      // The key starts a few characters before the 300th of the explanation.
      const pad = 'p'.repeat(PD_EXCERPT - 'Event object is invalid; '.length - (PD_PAYMENTS_KEY.length - 1));
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Event object is invalid', errors: [`${pad}${PD_PAYMENTS_KEY} is not a known integration key`] }));
    });
  });

  it('keeps no part of the key in lastError or the logs', async () => {
    const lastError = await failedPagerDutyError(s.t, 'Leak');
    const prefix = PD_PAYMENTS_KEY.slice(0, 12);
    expect(lastError).toContain('Event object is invalid');
    expect(lastError).not.toContain(prefix);
    expect(s.t.logs.some((l) => l.includes('pagerduty event failed'))).toBe(true);
    expect(s.t.logs.filter((l) => l.includes(prefix))).toEqual([]);
  });
});

describe('Slack quoting the token across the excerpt cut', () => {
  it('keeps no part of the token in the error', () => {
    const token = 'xoxb-1234567890-ABCDEFGHIJKLMNOP';
    // A proxy's error page, the token straddling its 200th character.
    const body = `${'<html>'.padEnd(158, '.')}Authorization: Bearer ${token}</html>`;
    const answer = classifySlackAnswer({ status: 502, retryAfter: undefined, body }, { method: 'chat.postMessage', token });
    expect(answer.ok).toBe(false);
    const error = (answer as { error: string }).error;
    expect(error).toContain('HTTP 502');
    expect(error).not.toContain(token.slice(0, 8));
  });
});
