/**
 * The failure counters the self-monitoring alerts watch are on /metrics at 0 before the first
 * failure: a series that first appears at 1 is no increase to Prometheus, so without them a
 * team's first dead notification or given-up summary, or the first refused webhook, would
 * never fire `increase(…) > 0`.
 */
import { describe, expect, it } from 'vitest';
import { paymentsTeam, routingOf } from '../config/team-config.case.js';
import { createMetrics } from './metrics.js';
import { showFailureSeries } from './failure-series.js';

const exposition = async (m: ReturnType<typeof createMetrics>) => (await m.registry.metrics()).split('\n');

describe('failure series', () => {
  it('shows the webhook refusal codes at 0 on a fresh registry', async () => {
    const lines = await exposition(createMetrics({ defaultMetrics: false }));
    for (const code of ['400', '401', '413', '415', '503']) expect(lines).toContain(`alertgate_webhook_requests_total{code="${code}"} 0`);
  });

  it('shows config reload failures by trigger, lease cuts by receiver and ignored stale copies at 0 on a fresh registry', async () => {
    const lines = await exposition(createMetrics({ defaultMetrics: false }));
    for (const trigger of ['signal', 'api', 'file_change']) expect(lines).toContain(`alertgate_config_reloads_total{trigger="${trigger}",outcome="failure"} 0`);
    for (const receiver of ['slack', 'pagerduty']) expect(lines).toContain(`alertgate_delivery_lease_cuts_total{receiver="${receiver}"} 0`);
    for (const receiver of ['slack', 'pagerduty']) expect(lines).toContain(`alertgate_outbox_stale_outcomes_total{receiver="${receiver}"} 0`);
    for (const kind of ['stale_firing', 'stale_firing_dropped', 'late_resolved']) expect(lines).toContain(`alertgate_dedup_stale_copies_total{kind="${kind}"} 0`);
    expect(lines).toContain('alertgate_alerts_ended_unseen_total 0');
  });

  it('shows each team\'s sent, failed and dead deliveries per receiver of its routes, and its summaries\' failures, at 0', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const payments = paymentsTeam({
      routes: [{ index: 0, matchers: [], receivers: ['pagerduty'], continue: false }],
      reports: [{ schedule: '0 9 1 * *', period: 'previous-month' }],
    });
    showFailureSeries(m, routingOf(payments));
    const lines = await exposition(m);
    for (const receiver of ['pagerduty', 'slack']) {
      for (const outcome of ['sent', 'failed', 'dead']) {
        expect(lines).toContain(`alertgate_notifications_total{team="payments",receiver="${receiver}",outcome="${outcome}"} 0`);
      }
    }
    expect(lines).toContain('alertgate_rate_limited_total{team="payments",receiver="slack",scope="channel"} 0');
    expect(lines).toContain('alertgate_rate_limited_total{team="payments",receiver="slack",scope="workspace"} 0');
    expect(lines).toContain('alertgate_rate_limited_total{team="payments",receiver="pagerduty",scope="routing_key"} 0');
    expect(lines).toContain('alertgate_uptime_reports_total{team="payments",outcome="not_posted"} 0');
    expect(lines).toContain('alertgate_uptime_reports_total{team="payments",outcome="attempt_failed"} 0');
  });

  it('leaves out receivers a team never uses and keeps counts already made across a reload', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const payments = paymentsTeam({ routes: [{ index: 0, matchers: [], receivers: ['slack'], continue: false }] });
    m.notifications.inc({ team: 'payments', receiver: 'slack', outcome: 'dead' }, 2);
    showFailureSeries(m, routingOf(payments));
    const text = await m.registry.metrics();
    expect(text).toContain('alertgate_notifications_total{team="payments",receiver="slack",outcome="dead"} 2');
    expect(text).not.toContain('team="payments",receiver="pagerduty"');
    expect(text).not.toContain('alertgate_uptime_reports_total{');
  });
});
