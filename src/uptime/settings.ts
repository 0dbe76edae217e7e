/**
 * @module uptime/settings
 * Environment → Thanos client settings (contract "Environment": `THANOS_URL`, unset means the
 * uptime endpoints answer 503 saying so). Optional knobs:
 * - `THANOS_TOKEN` / `THANOS_TOKEN_FILE`: bearer token for a Querier behind an auth proxy
 *   (basic auth also works as `https://user:pass@thanos…` in `THANOS_URL`; not both: uptime/url-credentials.ts);
 * - `THANOS_TIMEOUT_MS` (default 30000): per request;
 * - `THANOS_RAW_RETENTION` (default 30d) and `THANOS_5M_RETENTION` (default 180d): how long
 *   raw and 5-minute data are kept, which picks `max_source_resolution` (uptime/resolution.ts).
 */
import { parsePromDuration } from '../config/rules-duration.js';
import { wholeNumber } from '../config/env-numbers.js';
import { withinTimerLimit } from '../config/timer-limit.js';
import { DEFAULT_RESOLUTION_POLICY, type ResolutionPolicy } from './resolution.js';
import { refuseThanosCredentialsTogether } from './url-credentials.js';

export interface ThanosSettings {
  /** Base URL of the Prometheus-compatible API; undefined when `THANOS_URL` is unset. */
  url?: string;
  token?: string;
  /** THANOS_TOKEN_FILE when the token came from it: read again when Thanos refuses the token (401/403). */
  tokenFile?: string;
  timeoutMs: number;
  resolution: ResolutionPolicy;
}

/** Blank or only whitespace is unset, and surrounding whitespace is dropped, as for every setting (config/env-numbers). */
function duration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const ms = parsePromDuration(raw);
  if (ms === undefined || ms <= 0) throw new Error(`${name} must be a Prometheus duration above 0 such as 30d, got "${raw}"`);
  return ms;
}

/** `readSecret` and `secretFile` are config/env's (variable, else `_FILE`), passed in to keep this module free of it. */
export function readThanosSettings(
  env: NodeJS.ProcessEnv,
  readSecret: (env: NodeJS.ProcessEnv, name: string) => string | undefined,
  secretFile: (env: NodeJS.ProcessEnv, name: string) => string | undefined,
): ThanosSettings {
  const url = env.THANOS_URL?.trim() || undefined;
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // Not a URL at all: the same message as another scheme (`thanos-query:9090`, the scheme forgotten, parses as one).
    }
    if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') throw new Error('THANOS_URL must be an http(s) URL such as http://thanos-query.monitoring:9090');
    // Before the file is read: set is enough (a token file empty now may be filled by a rotation).
    refuseThanosCredentialsTogether(parsed, env.THANOS_TOKEN?.trim() ? 'THANOS_TOKEN' : env.THANOS_TOKEN_FILE ? 'THANOS_TOKEN_FILE' : undefined);
  }
  const timeoutRaw = env.THANOS_TIMEOUT_MS;
  const timeoutMs = wholeNumber(timeoutRaw, 'THANOS_TIMEOUT_MS', 30_000, 1);
  // Above a timer's longest delay Node fires at once, and every query would time out.
  withinTimerLimit('THANOS_TIMEOUT_MS', timeoutMs, timeoutRaw);
  const tokenFile = secretFile(env, 'THANOS_TOKEN');
  return {
    url,
    token: readSecret(env, 'THANOS_TOKEN'),
    ...(tokenFile ? { tokenFile } : {}),
    timeoutMs,
    resolution: {
      rawRetentionMs: duration(env, 'THANOS_RAW_RETENTION', DEFAULT_RESOLUTION_POLICY.rawRetentionMs),
      fiveMinuteRetentionMs: duration(env, 'THANOS_5M_RETENTION', DEFAULT_RESOLUTION_POLICY.fiveMinuteRetentionMs),
    },
  };
}
