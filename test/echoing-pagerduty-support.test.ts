/**
 * The echoing PagerDuty support's `failedPagerDutyError(t, alertname)` reads the lastError of
 * that alert's notification, not of the team's first failed PagerDuty one: a second test in the
 * same describe block (one gateway) read the first test's lastError and checked nothing of its own.
 */
import { describe, expect, it } from 'vitest';
import { failedPagerDutyError, useEchoingPagerDutyGateway } from './support/echoing-pagerduty.js';

describe('failedPagerDutyError with two alerts on one gateway', () => {
  const s = useEchoingPagerDutyGateway((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      // Refuses each event naming the alert it was sent for.
      const named = ['FirstRefused', 'SecondRefused'].find((n) => body.includes(n)) ?? 'unknown';
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`refused the event of ${named}`);
    });
  });

  it("gives each alert's own lastError", async () => {
    expect(await failedPagerDutyError(s.t, 'FirstRefused')).toContain('refused the event of FirstRefused');
    expect(await failedPagerDutyError(s.t, 'SecondRefused')).toContain('refused the event of SecondRefused');
  });
});
