/**
 * Fault: a broken configuration arrives (a bad merge, a hostile YAML file) and the running
 * process is told to reload it with SIGHUP (and POST /-/reload). The old configuration keeps
 * routing, alertgate_config_last_reload_successful drops to 0, every error is logged as
 * file:line:col, and the process survives even a YAML alias bomb; a fixed config is picked up.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricValue, sendLikeAlertmanager, waitForDrain, useFaultRig } from '../support/fault-harness.js';
import { recordFaultRow } from '../support/fault-report.js';
import { ADMIN_TOKEN, waitUntil } from '../support/gateway.js';
import { buildScripts, type GroupScript } from './scenario.js';
import { deliveredAlerts, verifyFinalStates } from './verify.js';

const rig = useFaultRig();

describe('config reload with a broken config', () => {
  it('SIGHUP with broken YAML, then an alias bomb: old config keeps serving, gauge 0, errors at file:line:col; a fix is applied', async () => {
    const gw = await rig().start();
    const file = join(rig().configDir, 'routes', 'alpha.yaml');
    const original = await readFile(file, 'utf8');
    // Groups 0, 4 and 8 belong to alpha.
    const scripts = buildScripts({ seed: 31, groups: 9, steps: 1 });
    const [first, second, third] = [scripts[0], scripts[4], scripts[8]] as [GroupScript, GroupScript, GroupScript];
    const postsTo = (channel: string) => rig().fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.channel === channel && !r.body.thread_ts);
    const seen = (msg: string) => gw.lines.filter((l) => l.msg === msg).length;
    const hup = async (expect: string) => {
      const before = seen(expect);
      gw.child.kill('SIGHUP');
      await waitUntil(() => seen(expect) > before, 10_000, `"${expect}" after SIGHUP`);
      return gw.lines.filter((l) => l.msg === expect).at(-1)!;
    };

    expect((await sendLikeAlertmanager(gw.url, first.steps[0])).status).toBe(202);
    await waitForDrain(gw.url, 10_000);
    expect(postsTo('#alpha-alerts')).toHaveLength(1);

    // 1. A bad merge: broken quoting and an unknown field.
    await writeFile(file, original.replace('"#alpha-alerts"', '"#alpha-alerts\n  bogus: [').replace('owns:', 'ownz:'));
    const broken = (await hup('invalid configuration')) as { errors: string[]; keptPrevious: boolean };
    expect(broken.keptPrevious).toBe(true);
    expect(broken.errors.length).toBeGreaterThan(0);
    for (const e of broken.errors) expect(e).toMatch(/^routes\/alpha\.yaml:\d+:\d+ /);
    expect(await metricValue(gw.url, 'alertgate_config_last_reload_successful')).toBe(0);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    expect((await sendLikeAlertmanager(gw.url, second.steps[0])).status).toBe(202);
    await waitForDrain(gw.url, 10_000);
    expect(postsTo('#alpha-alerts')).toHaveLength(2);

    // 2. A hostile file: aliases that would expand to 10^6 nodes ("billion laughs").
    const bomb = ['team: alpha', 'a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', 'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]', ''];
    await writeFile(file, bomb.join('\n'));
    const bombed = (await hup('invalid configuration')) as { errors: string[] };
    expect(bombed.errors).toContainEqual(expect.stringMatching(/^routes\/alpha\.yaml:3:\d+ .*resource exhaustion/i));
    expect(gw.child.exitCode).toBeNull();
    const viaHttp = await fetch(`${gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(viaHttp.status).toBe(400);
    expect(((await viaHttp.json()) as { errors: string[] }).errors).toContainEqual(expect.stringMatching(/^routes\/alpha\.yaml:3:\d+ /));
    expect(await metricValue(gw.url, 'alertgate_config_last_reload_successful')).toBe(0);

    // 3. The fix: a valid config with a new channel is applied.
    await writeFile(file, original.replace('#alpha-alerts', '#alpha-oncall'));
    await hup('configuration loaded');
    expect(await metricValue(gw.url, 'alertgate_config_last_reload_successful')).toBe(1);
    expect((await sendLikeAlertmanager(gw.url, third.steps[0])).status).toBe(202);
    await waitForDrain(gw.url, 10_000);
    expect(postsTo('#alpha-oncall')).toHaveLength(1);

    const verdicts = verifyFinalStates([first, second, third], rig().fakes.slack, rig().fakes.pagerduty);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    const alertsSent = [first, second, third].reduce((n, s) => n + s.instances.length, 0);
    recordFaultRow({
      case: 'Config reload (SIGHUP, POST /-/reload) with broken YAML and an alias bomb',
      alertsSent,
      delivered: deliveredAlerts(verdicts),
      dead: 0,
      lost: alertsSent - deliveredAlerts(verdicts),
      duplicated: 0,
      notes: `old config kept routing; gauge 0 then 1 after the fix; logged e.g. "${broken.errors[0]}"`,
    });
  });
});
