/**
 * @module config/env
 * Process environment → typed settings (contract "Environment"). Secrets may come from a file
 * (`X_FILE`), as Kubernetes mounts them; a file wins over nothing, the variable over the file.
 */
import { readFileSync } from 'node:fs';
import { parseLogLevel, type LogLevel } from '../log/logger.js';
import { defaultRetryPolicy, type RetryPolicy } from '../outbox/retry-policy.js';

export interface GatewaySettings {
  port: number;
  host: string;
  configDir: string;
  databaseUrl: string;
  webhookToken?: string;
  adminToken?: string;
  slackToken?: string;
  slackApiUrl: string;
  pagerDutyEventsUrl: string;
  fallbackTeam: string;
  logLevel: LogLevel;
  maxBodyBytes: number;
  retry: RetryPolicy;
  /** How long SIGTERM waits for in-flight deliveries. */
  shutdownGraceMs: number;
  /** Slack calls per second per channel, and the burst allowed before pacing. */
  slackChannelRate: number;
  slackChannelBurst: number;
}

export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return undefined;
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (!value) throw new Error('file is empty');
    return value;
  } catch (err) {
    throw new Error(`${name}_FILE: cannot read secret from ${file}: ${(err as Error).message}`);
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a number > 0, got "${raw}"`);
  return n;
}

export function readSettings(env: NodeJS.ProcessEnv, cwd: string): GatewaySettings {
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST || '0.0.0.0',
    configDir: env.ALERTGATE_CONFIG_DIR || cwd,
    databaseUrl: env.DATABASE_URL || 'sqlite:data/alertgate.db',
    webhookToken: readSecret(env, 'WEBHOOK_TOKEN'),
    adminToken: readSecret(env, 'ADMIN_TOKEN'),
    slackToken: readSecret(env, 'SLACK_TOKEN'),
    slackApiUrl: env.SLACK_API_URL || 'https://slack.com/api/',
    pagerDutyEventsUrl: env.PAGERDUTY_EVENTS_URL || 'https://events.pagerduty.com',
    fallbackTeam: env.FALLBACK_TEAM || 'platform',
    logLevel: parseLogLevel(env.LOG_LEVEL),
    maxBodyBytes: int(env, 'WEBHOOK_MAX_BYTES', 5 * 1024 * 1024, 1),
    retry: {
      maxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', defaultRetryPolicy.maxAttempts, 1),
      baseDelayMs: int(env, 'DELIVERY_BACKOFF_BASE_MS', defaultRetryPolicy.baseDelayMs, 1),
      maxDelayMs: int(env, 'DELIVERY_BACKOFF_MAX_MS', defaultRetryPolicy.maxDelayMs, 1),
      maxRetryAfterMs: int(env, 'DELIVERY_RETRY_AFTER_MAX_MS', defaultRetryPolicy.maxRetryAfterMs, 0),
    },
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000),
    slackChannelRate: positiveNumber(env, 'SLACK_CHANNEL_RATE', 1),
    slackChannelBurst: int(env, 'SLACK_CHANNEL_BURST', 5, 1),
  };
}
