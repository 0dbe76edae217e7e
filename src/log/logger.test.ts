import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, parseLogLevel } from './logger.js';

const LOGGER = fileURLToPath(new URL('./logger.ts', import.meta.url));

/** Runs `body` in a fresh Node process with `createLogger` imported; returns its stdout lines. */
function stdoutOf(body: string): { msg: string; level: string }[] {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\n${body}`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; level: string });
}

describe('logger on standard output', () => {
  it('writes every line, in order, across turns and child loggers', () => {
    const lines = stdoutOf(`
      const log = createLogger({ level: 'info' });
      log.info({}, 'one'); log.child({ c: 1 }).warn({}, 'two'); log.debug({}, 'hidden');
      setTimeout(() => { log.error({}, 'three'); setImmediate(() => log.info({}, 'four')); }, 5);
    `);
    expect(lines.map((l) => l.msg)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('writes the lines of the current turn when the process exits in it', () => {
    const lines = stdoutOf(`
      const log = createLogger();
      log.info({}, 'before exit'); log.error({}, 'fatal');
      process.exit(0);
    `);
    expect(lines.map((l) => l.msg)).toEqual(['before exit', 'fatal']);
  });
});

describe('logger secrets', () => {
  it('never writes a secret, wherever it appears in a line', () => {
    const written: string[] = [];
    const log = createLogger({ write: (l) => written.push(l), secrets: () => ['xoxb-secret-token'] });
    log.info({ header: 'Bearer xoxb-secret-token', nested: { t: 'xoxb-secret-token' } }, 'call failed');
    expect(written).toHaveLength(1);
    expect(written[0]).not.toContain('xoxb-secret-token');
    expect(written[0]).toContain('[REDACTED]');
  });
});

describe('logger secrets JSON writes otherwise', () => {
  it('blanks a secret holding a quote, a backslash or a control character as it stands in the line', () => {
    // A DATABASE_URL password or a token from a password manager; the line is JSON, which escapes these.
    for (const secret of ['pa"ss-w0rd', 'pa\\ss-w0rd', 'pa\tss-w0rd']) {
      const written: string[] = [];
      const log = createLogger({ write: (l) => written.push(l), secrets: () => [secret] });
      log.warn({ err: new Error(`password authentication failed: ${secret}`), url: `postgres://app:${secret}@db/x` }, 'store connection dropped');
      const parsed = JSON.parse(written[0]!) as { err: { message: string }; url: string };
      expect(JSON.stringify(parsed), JSON.stringify(secret)).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect(parsed.err.message).toBe('password authentication failed: [REDACTED]');
      expect(parsed.url).toBe('postgres://app:[REDACTED]@db/x');
    }
  });
});

describe('logger lines holding alert text', () => {
  it('writes every control character, U+2028 and U+2029 of a value as an escape, on one line that parses back to the same text', () => {
    // A label value reaches the log (groupKey, the log sink's requests). JSON escapes C0 (newline,
    // ESC) itself; the C1 controls (U+009B is a terminal's CSI), DEL and the line separators it
    // wrote as they are.
    const value = 'a\nb\r\u001b[31mred\u009b2Jc\u0085d\u007fe\u2028f\u2029g €😀';
    const written: string[] = [];
    createLogger({ write: (l) => written.push(l) }).info({ groupKey: value }, 'webhook accepted');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^[\x20-\x7e\u00a0-\u2027\u202a-\uffff\u{10000}-\u{10ffff}]+$/u);
    expect(written[0]).toContain('\\u009b2J');
    expect((JSON.parse(written[0]!) as { groupKey: string }).groupKey).toBe(value);
  });
});

describe('LOG_LEVEL', () => {
  it('empty or unset means info, like every other variable', () => {
    expect(parseLogLevel(undefined)).toBe('info');
    expect(parseLogLevel('')).toBe('info');
    expect(parseLogLevel(' ')).toBe('info');
    expect(parseLogLevel('WARN')).toBe('warn');
  });

  it('refuses an unknown level, naming LOG_LEVEL', () => {
    expect(() => parseLogLevel('verbose')).toThrow('LOG_LEVEL must be one of debug, info, warn, error, got "verbose"');
  });

  it('refuses the names of Object.prototype\'s properties (`in` would find them)', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => parseLogLevel(name), name).toThrow(`LOG_LEVEL must be one of debug, info, warn, error, got "${name}"`);
    }
  });
});
