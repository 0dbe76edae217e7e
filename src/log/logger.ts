/**
 * @module log/logger
 * Structured JSON logs, one object per line. Small on purpose: level filtering, child loggers
 * with bound fields, and a redaction pass so a secret can never be logged by accident.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
  child(fields: object): Logger;
  /** The least severe level written (lets a delivery thread skip lines nobody writes). */
  readonly level?: LogLevel;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stdout. */
  write?: (line: string) => void;
  /** Exact strings that must never appear in a log line (tokens, routing keys). */
  secrets?: () => readonly string[];
}

/** Unset or empty means the default, as for every other variable (`LOG_LEVEL=` in a manifest or .env). */
export function parseLogLevel(value: string | undefined): LogLevel {
  const v = (value?.trim() || 'info').toLowerCase();
  // Own keys only: `in` also finds Object.prototype's (`constructor`, `__proto__`).
  if (Object.hasOwn(LEVELS, v)) return v as LogLevel;
  throw new Error(`LOG_LEVEL must be one of ${Object.keys(LEVELS).join(', ')}, got "${value}"`);
}

function errorToJSON(err: Error): object {
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? errorToJSON(value) : value;
}

export function levelEnabled(level: LogLevel, min: LogLevel): boolean {
  return LEVELS[level] >= LEVELS[min];
}

/**
 * Standard output, one write per event-loop turn: the lines of one turn (a commit's worth of
 * answered webhooks, each logging a line, and their deliveries') go out together. A write per
 * line took ~3 µs (a system call; a 1-alert webhook logs two lines); batched, ~0.3 µs. The lines
 * are written before the process exits (`exit` runs after the last turn, and on `process.exit`);
 * only a SIGKILL can lose the last turn's.
 */
let batch: string[] = [];
let flushScheduled = false;
let flushOnExit = false;
function flushStdout(): void {
  flushScheduled = false;
  if (batch.length === 0) return;
  const text = `${batch.join('\n')}\n`;
  batch = [];
  process.stdout.write(text);
}
function writeStdout(line: string): void {
  batch.push(line);
  if (flushScheduled) return;
  flushScheduled = true;
  if (!flushOnExit) {
    flushOnExit = true;
    process.on('exit', flushStdout);
  }
  setImmediate(flushStdout);
}

/**
 * The texts to blank for `secrets`: each as written and, when JSON writes it otherwise (a `"`, a
 * backslash or a control character in a password), as it stands in the line: the line is JSON,
 * so a password `pa"ss` is `pa\"ss` there, and the written form alone never matched it. The
 * escaped form comes first: it is the longer, and blanking the other first could leave a part of it.
 */
function scrubForms(secrets: readonly string[]): string[] {
  return secrets
    .filter((s) => s.length >= 4)
    .flatMap((s) => {
      const inJson = JSON.stringify(s).slice(1, -1);
      return inJson === s ? [s] : [inJson, s];
    });
}

/**
 * Characters JSON.stringify writes as they are although a reader of the log may not take them as
 * text: DEL and the C1 controls (U+0080–U+009F; U+009B is a terminal's CSI, as ESC [ is, which
 * JSON escapes), and U+2028/U+2029, which JavaScript-based viewers split lines at. Label values
 * reach the log (a groupKey, the log sink's requests), so they are written as `\u….` escapes:
 * the line is still JSON, and parsing it gives the same text.
 */
const UNSAFE_IN_LINE = /[\u007f-\u009f\u2028\u2029]/;
const UNSAFE_IN_LINE_ALL = /[\u007f-\u009f\u2028\u2029]/g;
const escapeUnsafe = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Longest text a sender chose (a webhook's `groupKey`, `receiver`) copied into a log line. */
export const LOG_TEXT_MAX = 1000;

/**
 * `text` cut to LOG_TEXT_MAX characters, an ellipsis saying it was (never inside a surrogate
 * pair): a groupKey may be as long as WEBHOOK_MAX_BYTES, and each webhook carrying it wrote it
 * whole into its `webhook accepted` line, which log shippers split or drop past 16 KB.
 */
export function capLogText(text: string): string {
  if (text.length <= LOG_TEXT_MAX) return text;
  const cut = text.slice(0, LOG_TEXT_MAX);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

export function createLogger(opts: LoggerOptions = {}, bound: object = {}): Logger {
  const min = LEVELS[opts.level ?? 'info'];
  const write = opts.write ?? writeStdout;
  // The list changes rarely (a reload, a rotation): its forms are worked out once per list.
  let formsOf: readonly string[] | undefined;
  let forms: string[] = [];
  const log = (level: LogLevel, fields: object, msg?: string) => {
    if (LEVELS[level] < min) return;
    let line = JSON.stringify({ time: new Date().toISOString(), level, ...(msg ? { msg } : {}), ...bound, ...fields }, replacer);
    const secrets = opts.secrets?.() ?? [];
    if (secrets !== formsOf) {
      formsOf = secrets;
      forms = scrubForms(secrets);
    }
    for (const secret of forms) {
      if (line.includes(secret)) line = line.split(secret).join('[REDACTED]');
    }
    // After the secrets: they are looked for as JSON writes them.
    if (UNSAFE_IN_LINE.test(line)) line = line.replace(UNSAFE_IN_LINE_ALL, escapeUnsafe);
    write(line);
  };
  return {
    level: opts.level ?? 'info',
    debug: (f, m) => log('debug', f, m),
    info: (f, m) => log('info', f, m),
    warn: (f, m) => log('warn', f, m),
    error: (f, m) => log('error', f, m),
    child: (fields) => createLogger(opts, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => {} });
