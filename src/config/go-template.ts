/**
 * @module config/go-template
 * A syntax check of Go `text/template` text, as Prometheus parses the annotations and labels of
 * alerting rules.
 *
 * Why: Prometheus expands every annotation and label value of an alerting rule as a Go template
 * (with `$labels`, `$value`… and its own template functions), and `promtool check rules` (and the
 * Prometheus Operator's admission webhook) refuse a rule whose template does not parse. An alert
 * with `summary: "Instance {{ $labels.instance is down"` passed `alertgate validate` and
 * `generate`, and only failed once deployed (`function "is" not defined`). This module reports
 * such errors at validation time, at the offending character.
 *
 * It follows Go's `text/template/parse` (lex.go and parse.go) closely: the same tokens (trim
 * markers `{{- … -}}`, comments `{{/* … *\/}}`, strings, raw strings, characters, numbers,
 * fields, variables, `:=` and `=`), the same grammar (pipelines, parenthesised pipelines,
 * if/else if/else/range/with/define/template/block/break/continue/end), the same checks made at
 * parse time (function names must exist, variables must be declared, numbers and quoted strings
 * must be valid Go literals) and messages close to Go's. Only parsing is checked: a template that
 * parses may still fail at execution (a missing map key, a wrong argument type), which neither
 * promtool nor this module can know.
 *
 * The work is split as Go splits it: go-template-lex.ts cuts the text into tokens,
 * go-template-parse.ts applies the grammar and the parse-time checks, go-template-literals.ts
 * checks literals as strconv would. This module holds what Prometheus adds (its functions and
 * alert variables) and the entry point the rule checks call.
 *
 * It errs on the side of accepting: where Go versions differ it accepts what any of them accepts
 * (`{{else with}}` is Go 1.23+, promtool 2.42 is built with Go 1.19), and it knows the template
 * functions of recent Prometheus releases as well as older ones (`toDuration`, `now` and
 * `urlQueryEscape` are newer than promtool 2.42).
 *
 * @example
 * findGoTemplateError('Instance {{ $labels.instance is down') // → { offset: 29, message: 'function "is" not defined' }
 */
import { lex } from './go-template-lex.js';
import { Parser, TemplateSyntaxError } from './go-template-parse.js';

/** Go text/template's predefined functions (text/template/funcs.go `builtins`). */
export const GO_TEMPLATE_BUILTINS: readonly string[] = [
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne',
];

/**
 * The template functions Prometheus adds for alerting rules (template/template.go
 * `NewTemplateExpander`), across releases: a function a newer Prometheus knows is accepted.
 * `tmpl` is only defined for console templates, not alert fields.
 */
export const PROMETHEUS_TEMPLATE_FUNCTIONS: readonly string[] = [
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper',
  'toLower', 'graphLink', 'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024',
  'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp', 'toTime', 'pathPrefix', 'externalURL', 'parseDuration',
  // Added after Prometheus 2.42 (the Debian promtool the tests run): accepted, a newer Prometheus has them.
  'toDuration', 'now', 'urlQueryEscape',
];

/** Functions promtool 2.42 does not know but newer Prometheus releases do. */
export const NEWER_PROMETHEUS_FUNCTIONS: readonly string[] = ['toDuration', 'now', 'urlQueryEscape'];

/**
 * Variables Prometheus declares before an alert's template text (rules/alerting.go and
 * model/rulefmt's parse test prepend
 * `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}`);
 * `$` is declared by Go itself.
 */
export const PROMETHEUS_ALERT_VARIABLES: readonly string[] = ['$labels', '$externalLabels', '$externalURL', '$value'];

const DEFAULT_FUNCTIONS: ReadonlySet<string> = new Set([...GO_TEMPLATE_BUILTINS, ...PROMETHEUS_TEMPLATE_FUNCTIONS]);

export interface GoTemplateError {
  /** UTF-16 offset into the text of the character the error is about. */
  offset: number;
  message: string;
}

export interface GoTemplateOptions {
  /** Function names that exist; default Go's builtins and Prometheus' alert template functions. */
  functions?: ReadonlySet<string>;
  /** Variables declared before the text; default Prometheus' alert variables. `$` always is. */
  variables?: readonly string[];
}

/** The first syntax error of `text` as a Go template, or undefined when it parses. */
export function findGoTemplateError(text: string, opts: GoTemplateOptions = {}): GoTemplateError | undefined {
  // Text without an action is a template that prints itself: the common case, kept cheap.
  if (!text.includes('{{')) return undefined;
  const parser = new Parser(lex(text), opts.functions ?? DEFAULT_FUNCTIONS, ['$', ...(opts.variables ?? PROMETHEUS_ALERT_VARIABLES)]);
  try {
    parser.parse();
    return undefined;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return { offset: err.offset, message: err.message };
    throw err;
  }
}
