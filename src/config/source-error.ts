/**
 * @module config/source-error
 * Config errors that point at a place in a file, printed as `file:line:col message`
 * (the format editors and CI annotations understand).
 */

export interface SourceError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators and the bidirectional
 * overrides and isolates ("Trojan Source": text shown in another order than it is written).
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every unprintable character written as an escape (`\n`, `\u001b`). Messages echo
 * what a team's file holds (a key, a matcher), and the files come from pull requests whose
 * `validate` output CI prints: a raw ESC would drive the terminal, and a line break would print a
 * line of the file's own choosing (a forged `file:line:col`, a workflow command `::error …`); and
 * `##[` is written `#\u0023[`, as the runner reads `##[command]` anywhere in a line.
 */
export function printable(text: string): string {
  const escaped = text.replace(UNPRINTABLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // The Actions runner also reads its older command form, `##[error]…`, anywhere in a line.
  return escaped.includes('##[') ? escaped.replaceAll('##[', '#\\u0023[') : escaped;
}

/** One line, whatever the file's name and the message hold. */
export function formatSourceError(e: SourceError): string {
  const prefix = e.severity === 'warning' ? 'warning: ' : '';
  return printable(`${e.file}:${e.line}:${e.col} ${prefix}${e.message}`);
}

export function sortSourceErrors(errors: SourceError[]): SourceError[] {
  return [...errors].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}
