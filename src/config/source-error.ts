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

export function formatSourceError(e: SourceError): string {
  const prefix = e.severity === 'warning' ? 'warning: ' : '';
  return `${e.file}:${e.line}:${e.col} ${prefix}${e.message}`;
}

export function sortSourceErrors(errors: SourceError[]): SourceError[] {
  return [...errors].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}
