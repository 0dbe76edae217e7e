/**
 * @module config/matchers
 * Alertmanager matcher strings (the classic `matchers:` syntax of pkg/labels/parse.go), e.g.
 * `{severity="critical", service=~"checkout|basket"}`.
 *
 * Behaviour kept from Alertmanager, so a string means the same here as in an alertmanager.yml:
 * - optional leading `{` and trailing `}`; several matchers separated by commas outside quotes;
 *   a trailing comma is allowed; an empty string is an empty set (matches everything);
 * - label names `[a-zA-Z_:][a-zA-Z0-9_:]*`; operators `=`, `!=`, `=~`, `!~`;
 * - values quoted (`"…"` with `\"`, `\\`, `\n`; any other escape keeps its backslash, so
 *   `"JIRA-\d+"` is the regex `JIRA-\d+`) or unquoted (trailing whitespace trimmed);
 * - regexes are Go RE2, fully anchored `^(?:re)$`; an invalid regex is an error; matching takes
 *   time linear in the value, as in Go (matcher-regexp.ts);
 * - a label the alert does not have is matched as the empty string.
 * One leniency: whitespace around the whole string (YAML can carry it) is ignored.
 *
 * @example
 * const set = parseMatchers('{severity="critical", service=~"checkout|basket"}');
 * set.matches({ severity: 'critical', service: 'basket' }); // true
 */
import type { Labels } from '../model/alert.js';
import { compileMatcherRegexp, type MatcherRegexp } from './matcher-regexp.js';
import type { MatchOp, Matcher, MatcherSet } from './types.js';

/**
 * Go's regexp from parse.go (`\s` spelled out because Go's is ASCII only), without its trailing
 * `\s*$`: a lazy `(.*?)\s*$` backtracks quadratically in JavaScript (RE2 does not), so 20 000
 * spaces took a second. Trailing whitespace is trimmed first by `trimGoSpaceEnd` instead.
 */
const MATCHER_RE = /^[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*([^]*)$/;

function trimGoSpaceEnd(s: string): string {
  let end = s.length;
  while (end > 0 && '\t\n\f\r '.includes(s[end - 1]!)) end -= 1;
  return s.slice(0, end);
}

type Test = (value: string) => boolean;

function compileTest(m: Matcher): Test {
  switch (m.op) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = compileRegex(m);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileRegex(m);
      return (v) => !re.test(v);
    }
  }
}

function compileRegex(m: Matcher): MatcherRegexp {
  try {
    return compileMatcherRegexp(m.value);
  } catch (err) {
    throw new Error(`invalid regular expression in matcher ${formatMatcher(m)}: ${(err as Error).message}`);
  }
}

/** Split on commas outside double quotes (a `\"` does not open or close a quote). */
function splitMatchers(s: string): string[] {
  const tokens: string[] = [];
  let insideQuotes = false;
  let escaped = false;
  let token = '';
  for (const r of s) {
    switch (r) {
      case ',':
        if (!insideQuotes) {
          tokens.push(token);
          token = '';
          continue;
        }
        break;
      case '"':
        if (!escaped) insideQuotes = !insideQuotes;
        else escaped = false;
        break;
      case '\\':
        escaped = !escaped;
        break;
      default:
        escaped = false;
    }
    token += r;
  }
  const last = token.trim();
  if (last !== '') tokens.push(last);
  return tokens;
}

/** One matcher, e.g. `severity="critical"` (Alertmanager's ParseMatcher). */
export function parseMatcher(s: string): Matcher {
  const ms = MATCHER_RE.exec(trimGoSpaceEnd(s));
  if (!ms) throw new Error(`bad matcher format: ${s}`);
  const [, name, op, raw] = ms as unknown as [string, string, MatchOp, string];
  let rawValue = raw;
  let expectTrailingQuote = false;
  if (rawValue.startsWith('"')) {
    rawValue = rawValue.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  const chars = Array.from(rawValue);
  for (let i = 0; i < chars.length; i++) {
    const r = chars[i]!;
    if (escaped) {
      escaped = false;
      if (r === 'n') value += '\n';
      else if (r === '"' || r === '\\') value += r;
      // A spurious escape keeps its backslash (regexes such as `\d` rely on it).
      else value += `\\${r}`;
      continue;
    }
    if (r === '\\') {
      if (i < chars.length - 1) escaped = true;
      else value += '\\';
    } else if (r === '"') {
      if (!expectTrailingQuote || i < chars.length - 1) {
        throw new Error(`matcher value contains unescaped double quote: ${raw}`);
      }
      expectTrailingQuote = false;
    } else {
      value += r;
    }
  }
  if (expectTrailingQuote) throw new Error(`matcher value contains unescaped double quote: ${raw}`);
  return { name, op, value };
}

/** A matcher printed back in the canonical form, e.g. `service=~"checkout|basket"`. */
export function formatMatcher(m: Matcher): string {
  const value = m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${m.name}${m.op}"${value}"`;
}

/**
 * Parse a matcher string (one `matchers:` entry). Throws an Error saying what is wrong, in
 * Alertmanager's words where it has them.
 */
export function parseMatchers(source: string): MatcherSet {
  let s = source.trim();
  if (s.startsWith('{')) s = s.slice(1);
  if (s.endsWith('}')) s = s.slice(0, -1);
  const matchers = splitMatchers(s).map(parseMatcher);
  const compiled = matchers.map((m) => ({ name: m.name, test: compileTest(m) }));
  return {
    source,
    matchers,
    matches(labels: Labels): boolean {
      for (const c of compiled) {
        // hasOwn: a label named e.g. `constructor` must not read Object.prototype.
        const value = Object.hasOwn(labels, c.name) ? (labels[c.name] ?? '') : '';
        if (!c.test(value)) return false;
      }
      return true;
    },
  };
}
