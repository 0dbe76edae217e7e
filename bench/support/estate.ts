/**
 * @module bench/support/estate
 * The routing configuration the benchmarks run with: the four teams of `alerts.ts`, each owning
 * its `<team>-prod` namespace and posting to its own Slack channel.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BENCH_TEAMS } from './alerts.js';

export interface EstateOptions {
  /** `storm.maxMessagesPerMinute` of every team; unset: the default (20). */
  stormLimit?: number;
}

/** Writes `routes/<team>.yaml` for every bench team under `dir`. */
export async function writeEstate(dir: string, o: EstateOptions = {}): Promise<void> {
  await mkdir(path.join(dir, 'routes'), { recursive: true });
  for (const team of BENCH_TEAMS) {
    const yaml = [
      `team: ${team}`,
      'owns:',
      `  namespaces: [${team}-prod]`,
      'slack:',
      `  channel: "#${team}-alerts"`,
      ...(o.stormLimit ? ['storm:', `  maxMessagesPerMinute: ${o.stormLimit}`] : []),
      'routes:',
      "  - matchers: ['severity=\"critical\"']",
      '    receivers: [slack]',
      `    slack: { channel: "#${team}-critical" }`,
      '    continue: true',
      '  - receivers: [slack]',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'routes', `${team}.yaml`), yaml);
  }
}

/** Environment of a bench gateway: its store, config, a Slack stand-in and unthrottled pacing. */
export function benchEnv(o: { dbFile: string; configDir: string; slackUrl: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    DATABASE_URL: `sqlite:${o.dbFile}`,
    ALERTGATE_CONFIG_DIR: o.configDir,
    SLACK_TOKEN: 'xoxb-bench-token',
    SLACK_API_URL: o.slackUrl,
    // Pacing to Slack's real limit is deliberate; the benchmarks measure the gateway, not it.
    SLACK_CHANNEL_RATE: '100000',
    SLACK_CHANNEL_BURST: '100000',
    WEBHOOK_TOKEN: 'bench-webhook-token',
    LOG_LEVEL: 'info',
    ...o.extra,
  };
}

export const BENCH_WEBHOOK_TOKEN = 'bench-webhook-token';
