import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, readSecret, readSettings } from './env.js';

/** The secret files' folders, removed after the file's tests (each run left two in the temp dir). */
const tempDirs: string[] = [];
const secretDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-secret-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('readSecret', () => {
  const file = join(secretDir(), 'token');
  writeFileSync(file, 'from-file\n');

  it('drops surrounding whitespace from the variable as from the file', () => {
    expect(readSecret({ TOKEN: ' s3cret\n' }, 'TOKEN')).toBe('s3cret');
    expect(readSecret({ TOKEN_FILE: file }, 'TOKEN')).toBe('from-file');
  });

  it('treats a variable of only whitespace as unset, falling back to the file', () => {
    expect(readSecret({ TOKEN: ' \n', TOKEN_FILE: file }, 'TOKEN')).toBe('from-file');
    expect(readSecret({ TOKEN: '\n' }, 'TOKEN')).toBeUndefined();
  });

  it('lets the variable win over the file', () => {
    expect(readSecret({ TOKEN: 'direct', TOKEN_FILE: file }, 'TOKEN')).toBe('direct');
  });
});

describe('readSecret, a *_FILE variable that names no readable file', () => {
  it('never prints a value that may be the secret itself, and says which variable and what it takes', () => {
    // A secretKeyRef given to the _FILE variable, not to the variable itself; a base64 token with a leading "/".
    for (const token of ['xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', '/q8Zk+3rT0/vW2yQ9=']) {
      let message = '';
      try {
        readSecret({ SLACK_TOKEN_FILE: token }, 'SLACK_TOKEN');
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^SLACK_TOKEN_FILE: cannot read secret from the file it names \(ENOENT\); its value is not shown/);
      expect(message).toContain('SLACK_TOKEN_FILE takes the path of a file that holds the secret');
      expect(message).not.toContain(token);
    }
  });

  it('names a mount path that is missing, or a file that is empty', () => {
    const missing = '/var/run/secrets/alertgate-test-missing/slack-token';
    expect(() => readSecret({ SLACK_TOKEN_FILE: missing }, 'SLACK_TOKEN')).toThrow(`SLACK_TOKEN_FILE: cannot read secret from ${missing}: ENOENT`);
    const empty = join(secretDir(), 'empty');
    writeFileSync(empty, '\n');
    expect(() => readSecret({ SLACK_TOKEN_FILE: empty }, 'SLACK_TOKEN')).toThrow(`SLACK_TOKEN_FILE: cannot read secret from ${empty}: the file is empty`);
  });
});

describe('PORT', () => {
  it('takes 0 to 65535 in plain decimal', () => {
    expect(readSettings({ PORT: '0' }, '/srv').port).toBe(0);
    expect(readSettings({ PORT: '65535' }, '/srv').port).toBe(65_535);
    expect(readSettings({}, '/srv').port).toBe(8080);
  });

  it('refuses anything else, naming PORT', () => {
    for (const bad of ['0x50', ' 1e3', '1e3', '70000', '-1', '80.0', 'http', '8 0']) {
      expect(() => readSettings({ PORT: bad }, '/srv'), bad).toThrow(`PORT must be a port number from 0 to 65535, got "${bad}"`);
    }
  });
});

const SLACK_URL_CREDENTIALS =
  'SLACK_API_URL: a user name or password in it (user:password@, for a proxy in front of Slack) cannot be sent: basic auth would go in the Authorization header, which carries the Slack bot token (Bearer) that the proxy must pass on to Slack. Remove them (they are not shown here); let the proxy admit alertgate another way, by its network address (a NetworkPolicy, an allow-list)';

describe('URL variables', () => {
  const vars = ['SLACK_API_URL', 'PAGERDUTY_EVENTS_URL', 'ALERTGATE_PUBLIC_URL'];

  it('refuses what is not an http(s) URL at start, naming the variable', () => {
    for (const name of vars) {
      for (const bad of ['notaurl', 'ftp://files.example', '/relative/path']) {
        expect(() => readSettings({ [name]: bad }, '/srv'), `${name}=${bad}`).toThrow(new RegExp(`^${name} must be an http\\(s\\) URL`));
      }
    }
  });

  it('takes http(s) URLs, and defaults when unset or empty', () => {
    const s = readSettings({ SLACK_API_URL: 'http://127.0.0.1:9/api/', PAGERDUTY_EVENTS_URL: 'https://pd.example', ALERTGATE_PUBLIC_URL: 'https://ag.example' }, '/srv');
    expect(s).toMatchObject({ slackApiUrl: 'http://127.0.0.1:9/api/', pagerDutyEventsUrl: 'https://pd.example', publicUrl: 'https://ag.example' });
    const d = readSettings({ SLACK_API_URL: '', PAGERDUTY_EVENTS_URL: '' }, '/srv');
    expect(d).toMatchObject({ slackApiUrl: 'https://slack.com/api/', pagerDutyEventsUrl: 'https://events.pagerduty.com' });
    expect(d.publicUrl).toBeUndefined();
  });

  it('refuses a user name or password that is not valid percent-encoding (node:http would throw "URI malformed" at every send), naming the variable, not printing them', () => {
    for (const name of ['PAGERDUTY_EVENTS_URL']) {
      for (const url of ['https://u:50%off@proxy.example', 'https://50%off@proxy.example', 'https://u%zz:ok@proxy.example']) {
        let message = '';
        try {
          readSettings({ [name]: url }, '/srv');
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message, `${name}=${url}`).toBe(
          `${name}: the user name or password in it is not valid percent-encoding (a % must start an escape such as %25, which is % itself): write a % in them as %25`,
        );
        expect(message).not.toContain('50%off');
        expect(message).not.toContain('u%zz');
      }
    }
    // Escapes that decode are taken as written.
    expect(readSettings({ PAGERDUTY_EVENTS_URL: 'https://u:50%25off@proxy.example' }, '/srv').pagerDutyEventsUrl).toBe('https://u:50%25off@proxy.example');
  });

  it('refuses a user name or password in SLACK_API_URL (basic auth cannot share Authorization with the bot token), naming it, not printing them', () => {
    // Refused whole, even where they are not valid percent-encoding (which PAGERDUTY_EVENTS_URL is told).
    for (const url of ['https://proxyuser:pr0xy-Passw0rd@slack-proxy.example/api/', 'https://PROXYKEY-abc123@slack-proxy.example/api/', 'http://proxyuser:@127.0.0.1:9/api/', 'https://proxyuser:pr0xy50%off@slack-proxy.example/api/']) {
      let message = '';
      try {
        readSettings({ SLACK_API_URL: url }, '/srv');
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, url).toBe(SLACK_URL_CREDENTIALS);
      for (const bit of ['proxyuser', 'pr0xy', 'PROXYKEY']) expect(message).not.toContain(bit);
    }
    // PAGERDUTY_EVENTS_URL keeps taking them: its client sends them as basic auth.
    expect(readSettings({ PAGERDUTY_EVENTS_URL: 'https://u:pw@pd-proxy.example' }, '/srv').pagerDutyEventsUrl).toBe('https://u:pw@pd-proxy.example');
  });

  it("refuses a Slack incoming-webhook URL in SLACK_API_URL (Alertmanager's slack_api_url), saying what goes there, without echoing the URL (it is a secret)", () => {
    for (const hook of ['https://hooks.slack.com/services/T0000/B0000/XXXXsecretXXXX', 'https://hooks.slack-gov.com/services/T0/B0/secretpart']) {
      let message = '';
      try {
        readSettings({ SLACK_API_URL: hook }, '/srv');
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe(
        'SLACK_API_URL is an incoming-webhook URL (hooks.slack.com/services/…, as in Alertmanager\'s slack_api_url): alertgate calls the Web API with a bot token instead. Leave SLACK_API_URL unset (https://slack.com/api/) and put the bot token (xoxb-…) in SLACK_TOKEN or SLACK_TOKEN_FILE',
      );
      expect(message).not.toContain('secret');
    }
  });
});

describe('HISTORY_RETENTION', () => {
  it('keeps everything when unset, empty or 0, and reads a Prometheus duration otherwise', () => {
    for (const keep of [{}, { HISTORY_RETENTION: '' }, { HISTORY_RETENTION: '0' }]) {
      expect(readSettings(keep, '/srv').historyRetentionMs).toBeUndefined();
    }
    expect(readSettings({ HISTORY_RETENTION: '90d' }, '/srv').historyRetentionMs).toBe(90 * 86_400_000);
    expect(readSettings({ HISTORY_RETENTION: '1d' }, '/srv').historyRetentionMs).toBe(86_400_000);
    expect(readSettings({}, '/srv').historyPruneTickMs).toBe(3_600_000);
  });

  it('refuses a bad duration or one under a day, naming the variable', () => {
    expect(() => readSettings({ HISTORY_RETENTION: '90 days' }, '/srv')).toThrow('HISTORY_RETENTION: not a valid duration string: "90 days"');
    expect(() => readSettings({ HISTORY_RETENTION: '23h' }, '/srv')).toThrow('HISTORY_RETENTION must be at least 1d (or 0 to keep everything), got "23h"');
  });
});

describe('HOST and FALLBACK_TEAM', () => {
  it('of only whitespace are unset (their defaults), and surrounding whitespace is dropped', () => {
    expect(readSettings({ HOST: ' ', FALLBACK_TEAM: '\t' }, '/srv')).toMatchObject({ host: '0.0.0.0', fallbackTeam: 'platform' });
    expect(readSettings({ HOST: ' 127.0.0.1\n', FALLBACK_TEAM: 'ops\n' }, '/srv')).toMatchObject({ host: '127.0.0.1', fallbackTeam: 'ops' });
  });
});

describe('THANOS_URL', () => {
  it('refuses what is not an http(s) URL with an example, whether it does not parse or has another scheme', () => {
    for (const bad of ['thanos-query:9090/', 'ftp://thanos-query.monitoring:9090']) {
      expect(() => readSettings({ THANOS_URL: bad }, '/srv'), bad).toThrow('THANOS_URL must be an http(s) URL such as http://thanos-query.monitoring:9090');
    }
  });
});

describe('DATABASE_URL', () => {
  it('of only whitespace is unset (the default store), as `alertgate uptime` reads it: both find the same store', () => {
    expect(readSettings({ DATABASE_URL: ' ' }, '/srv').databaseUrl).toBe(DEFAULT_DATABASE_URL);
    expect(readSettings({ DATABASE_URL: '' }, '/srv').databaseUrl).toBe(DEFAULT_DATABASE_URL);
    expect(readSettings({ DATABASE_URL: ' sqlite:/var/lib/alertgate/alertgate.db\n' }, '/srv').databaseUrl).toBe('sqlite:/var/lib/alertgate/alertgate.db');
  });
});

describe('duration settings', () => {
  it('treat blank or whitespace as unset (the default) and ignore surrounding whitespace, as numbers and CONFIG_RELOAD_INTERVAL do', () => {
    const defaults = readSettings({}, '/srv');
    const blank = readSettings({ HISTORY_RETENTION: ' ', THANOS_RAW_RETENTION: '\t', THANOS_5M_RETENTION: '\n' }, '/srv');
    expect(blank.historyRetentionMs).toBeUndefined();
    expect(blank.thanos.resolution).toEqual(defaults.thanos.resolution);
    const padded = readSettings({ HISTORY_RETENTION: ' 90d\n', THANOS_RAW_RETENTION: '15d\n', THANOS_5M_RETENTION: ' 90d' }, '/srv');
    expect(padded.historyRetentionMs).toBe(90 * 86_400_000);
    expect(padded.thanos.resolution).toEqual({ rawRetentionMs: 15 * 86_400_000, fiveMinuteRetentionMs: 90 * 86_400_000 });
  });

  it('refuse a Thanos retention of 0 saying it must be above 0 (0 is a duration)', () => {
    for (const name of ['THANOS_RAW_RETENTION', 'THANOS_5M_RETENTION']) {
      expect(() => readSettings({ [name]: '0' }, '/srv'), name).toThrow(`${name} must be a Prometheus duration above 0 such as 30d, got "0"`);
      expect(() => readSettings({ [name]: '30 days' }, '/srv'), name).toThrow(`${name} must be a Prometheus duration above 0 such as 30d, got "30 days"`);
    }
  });
});

describe('CONFIG_RELOAD_INTERVAL', () => {
  it('polls every 30 s by default, takes a Prometheus duration, and 0 for no polling', () => {
    expect(readSettings({}, '/srv').configReloadIntervalMs).toBe(30_000);
    expect(readSettings({ CONFIG_RELOAD_INTERVAL: ' ' }, '/srv').configReloadIntervalMs).toBe(30_000);
    expect(readSettings({ CONFIG_RELOAD_INTERVAL: '2m' }, '/srv').configReloadIntervalMs).toBe(120_000);
    expect(readSettings({ CONFIG_RELOAD_INTERVAL: '0' }, '/srv').configReloadIntervalMs).toBe(0);
  });

  it('refuses what is not a duration, or one longer than a timer takes, naming the variable', () => {
    expect(() => readSettings({ CONFIG_RELOAD_INTERVAL: '30' }, '/srv')).toThrow('CONFIG_RELOAD_INTERVAL: not a valid duration string: "30"');
    expect(() => readSettings({ CONFIG_RELOAD_INTERVAL: '30d' }, '/srv')).toThrow('CONFIG_RELOAD_INTERVAL must be at most 2147483647 ms');
  });

  it('refuses an interval under 1 s (the files would be looked at constantly), saying what it takes', () => {
    for (const raw of ['1ms', '999ms', '500ms']) {
      expect(() => readSettings({ CONFIG_RELOAD_INTERVAL: raw }, '/srv'), raw).toThrow(`CONFIG_RELOAD_INTERVAL must be at least 1s (or 0 for no polling), got "${raw}"`);
    }
    expect(readSettings({ CONFIG_RELOAD_INTERVAL: '1s' }, '/srv').configReloadIntervalMs).toBe(1_000);
  });
});

describe('durations that end up in timers', () => {
  it('refuses more than Node keeps in a timer (it would fire at once), naming the variable', () => {
    for (const name of ['HISTORY_PRUNE_TICK_MS', 'STORM_TICK_MS', 'MAINTENANCE_TICK_MS', 'SHUTDOWN_GRACE_MS', 'DELIVERY_BACKOFF_MAX_MS']) {
      expect(() => readSettings({ [name]: '2592000000' }, '/srv'), name).toThrow(`${name} must be at most 2147483647 ms`);
      expect(() => readSettings({ [name]: '2147483647' }, '/srv'), name).not.toThrow();
    }
  });

  it('refuses a THANOS_TIMEOUT_MS over the limit too (every uptime query timed out at once, blaming Thanos)', () => {
    expect(() => readSettings({ THANOS_TIMEOUT_MS: '3000000000' }, '/srv')).toThrow('THANOS_TIMEOUT_MS must be at most 2147483647 ms');
    expect(readSettings({ THANOS_TIMEOUT_MS: '2147483647' }, '/srv').thanos.timeoutMs).toBe(2147483647);
  });
});

describe('numbers in settings', () => {
  it('treat blank or whitespace as unset (the default), not as 0', () => {
    const defaults = readSettings({}, '/srv');
    const blank = readSettings({ SHUTDOWN_GRACE_MS: ' ', DELIVERY_RETRY_AFTER_MAX_MS: '\t', SLACK_CHANNEL_RATE: ' ', THANOS_TIMEOUT_MS: '\n' }, '/srv');
    expect(blank.shutdownGraceMs).toBe(defaults.shutdownGraceMs);
    expect(defaults.shutdownGraceMs).toBeGreaterThan(0);
    expect(blank.retry.maxRetryAfterMs).toBe(defaults.retry.maxRetryAfterMs);
    expect(blank.slackChannelRate).toBe(defaults.slackChannelRate);
    expect(blank.thanos.timeoutMs).toBe(30_000);
  });

  it('take decimal digits, with surrounding whitespace (a trailing newline) ignored', () => {
    expect(readSettings({ WEBHOOK_MAX_BYTES: ' 2048\n', SLACK_CHANNEL_RATE: '0.5' }, '/srv')).toMatchObject({ maxBodyBytes: 2048, slackChannelRate: 0.5 });
    // PORT too.
    expect(readSettings({ PORT: ' 9090\n' }, '/srv').port).toBe(9090);
    expect(readSettings({ PORT: ' ' }, '/srv').port).toBe(8080);
  });

  it('refuse hexadecimal, exponent, signed or fractional forms, naming the variable and the value', () => {
    for (const v of ['0x10', '1e3', '+5', '5.0', '1_000', '-1']) {
      expect(() => readSettings({ WEBHOOK_MAX_BYTES: v }, '/srv'), v).toThrow(`WEBHOOK_MAX_BYTES must be an integer >= 1 in decimal digits, got "${v}"`);
    }
    expect(() => readSettings({ THANOS_TIMEOUT_MS: '1e4' }, '/srv')).toThrow('THANOS_TIMEOUT_MS must be an integer >= 1 in decimal digits, got "1e4"');
    expect(() => readSettings({ SLACK_CHANNEL_RATE: '0x2' }, '/srv')).toThrow('SLACK_CHANNEL_RATE must be a number > 0 in decimal digits (such as 0.5), got "0x2"');
  });
});

describe('UPTIME_REPORT_TIMEOUT_MS', () => {
  it('defaults to 50 s (under a 60 s ingress timeout); takes milliseconds, and 0 for no deadline', () => {
    expect(readSettings({}, '/srv').uptimeReportTimeoutMs).toBe(50_000);
    expect(readSettings({ UPTIME_REPORT_TIMEOUT_MS: '' }, '/srv').uptimeReportTimeoutMs).toBe(50_000);
    expect(readSettings({ UPTIME_REPORT_TIMEOUT_MS: '25000' }, '/srv').uptimeReportTimeoutMs).toBe(25_000);
    expect(readSettings({ UPTIME_REPORT_TIMEOUT_MS: '0' }, '/srv').uptimeReportTimeoutMs).toBe(0);
  });

  it('refuses what is not a whole number of milliseconds, naming the variable and the value', () => {
    for (const bad of ['50s', '-1', '1.5', 'abc', '1e999']) {
      expect(() => readSettings({ UPTIME_REPORT_TIMEOUT_MS: bad }, '/srv'), bad).toThrow(`UPTIME_REPORT_TIMEOUT_MS must be an integer >= 0 in decimal digits, got "${bad}"`);
    }
  });

  it('refuses more than Node keeps in a timer (the deadline would fire at once)', () => {
    expect(() => readSettings({ UPTIME_REPORT_TIMEOUT_MS: '2592000000' }, '/srv')).toThrow('UPTIME_REPORT_TIMEOUT_MS must be at most 2147483647 ms');
    expect(readSettings({ UPTIME_REPORT_TIMEOUT_MS: '2147483647' }, '/srv').uptimeReportTimeoutMs).toBe(2147483647);
  });
});
