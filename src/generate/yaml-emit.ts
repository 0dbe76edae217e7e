/**
 * @module generate/yaml-emit
 * A fast YAML emitter for generated files, byte for byte what `yaml` 2.x `stringify(value,
 * { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false })` writes for plain data
 * (maps, sequences, strings, finite numbers, booleans, null), without building a Document first,
 * except that strings YAML 1.1 readers (kubectl) would take for booleans, numbers or null are
 * quoted too: stringifyQuotingAmbiguous in generate/yaml-ambiguous.ts is the reference.
 * At platform scale (500 teams) `yaml.stringify` was most of `generate`'s time.
 *
 * Why a copy and not the library: the library builds a node tree per value and runs every scalar
 * through its generic machinery. This module ports only the block-style paths of `yaml`'s
 * stringifyString/stringifyPair/stringifyCollection that generated output can reach (default
 * options, YAML 1.2 core schema, no folding since lineWidth is 0). Anything else (undefined in a
 * sequence, non-plain objects, keys that would need `? ` explicit syntax) answers undefined, and
 * the caller falls back to the library. One deliberate difference: multi-line strings of nothing
 * but spaces, tabs and line breaks (at least one space or tab) are double-quoted, because the
 * library writes them as a block scalar that does not read back the same. Strings holding a
 * character go-yaml refuses or reads as a line break (GO_YAML_UNSAFE) are double-quoted with it
 * escaped, where the library writes it raw; the reference does the same. So are one-line strings
 * holding a tab, which the library writes plain and PyYAML cannot read there (tabInPlain).
 *
 * Ported from yaml 2.9: yaml-emit.test.ts compares it with stringifyQuotingAmbiguous on thousands of strings, and
 * test/generate-check.test.ts on every generated file, so an upgrade that changes the library's
 * output shows up there.
 */

import { escapeGoYamlUnsafe, readsAsNonString, tabInPlain } from './yaml-ambiguous.js';

const INDENT_STEP = '  ';

const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const FORCE_DOUBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const DOUBLE_QUOTED_MIN_MULTILINE = 40;

class Unsupported extends Error {}

/** YAML text of `value` (ending in a newline), or undefined when only the `yaml` library can write it. */
export function emitYaml(value: unknown): string | undefined {
  try {
    return `${node(value, '', false)}\n`;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A value at indentation `indent` (the indentation its continuation lines get). */
function node(value: unknown, indent: string, implicitKey: boolean): string {
  if (typeof value === 'string') return str(value, indent, implicitKey);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Unsupported();
    return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  if (implicitKey || typeof value !== 'object') throw new Unsupported();
  if (Array.isArray(value)) return seq(value, indent);
  if (!isPlainObject(value)) throw new Unsupported();
  return map(value, indent);
}

function seq(items: unknown[], indent: string): string {
  if (items.length === 0) return '[]';
  const itemIndent = indent + INDENT_STEP;
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) throw new Unsupported();
    out += `${i === 0 ? '' : `\n${indent}`}- ${node(item, itemIndent, false)}`;
  }
  return out;
}

function map(obj: Record<string, unknown>, indent: string): string {
  let out = '';
  let first = true;
  const inner = indent + INDENT_STEP;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === undefined) continue; // yaml omits undefined values (keepUndefined: false)
    const keyStr = str(key, inner, true);
    if (keyStr.length > 1024) throw new Unsupported(); // yaml switches to an explicit `? key`
    let line: string;
    if (value !== null && typeof value === 'object') {
      const empty = Array.isArray(value) ? value.length === 0 : isPlainObject(value) && Object.keys(value).every((k) => value[k as never] === undefined);
      const body = node(value, inner, false);
      line = empty ? `${keyStr}: ${body}` : `${keyStr}:\n${inner}${body}`;
    } else {
      const body = node(value, inner, false);
      line = body === '' || body[0] === '\n' ? `${keyStr}:${body}` : `${keyStr}: ${body}`;
    }
    out += first ? line : `\n${indent}${line}`;
    first = false;
  }
  return first ? '{}' : out;
}

/**
 * Fast path: most keys and label values (`expr`, `team`, `payments-prod`) start with a letter and
 * hold no indicator, space or line break, so they are plain; of those only the boolean and null
 * words (and the yaml library's 1.1 floats like `e3`) would read back as something else.
 */
const SIMPLE = /^[A-Za-z][A-Za-z0-9_./-]*$/;

/** SIMPLE strings that are not strings are short words (`FALSE`) or `e3`-like floats: the rest skip readsAsNonString. */
function simpleMayReadAsNonString(value: string): boolean {
  return value.length <= 5 || value[0] === 'e' || value[0] === 'E';
}

/**
 * FORCE_DOUBLE or GO_YAML_UNSAFE (yaml-ambiguous.ts), with cheap scans first: the `u` flag makes
 * FORCE_DOUBLE slow on long dashboard JSON.
 */
function needsDoubleQuotes(value: string): boolean {
  return CONTROL.test(value) || (SURROGATE.test(value) && FORCE_DOUBLE.test(value));
}
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]/;
const SURROGATE = /[\uD800-\uDFFF]/;

function str(value: string, indent: string, implicitKey: boolean): string {
  if (SIMPLE.test(value) && !(simpleMayReadAsNonString(value) && readsAsNonString(value))) return value;
  if (needsDoubleQuotes(value) || tabInPlain(value)) return doubleQuoted(value, indent, implicitKey);
  return plain(value, indent, implicitKey);
}

function plain(value: string, indent: string, implicitKey: boolean): string {
  if (value.includes('\n')) {
    // yaml's plainString sends every multi-line string to a block (values) or quotes (keys).
    return implicitKey ? quoted(value, indent, implicitKey) : block(value, indent, implicitKey);
  }
  if (NOT_PLAIN.test(value)) return quoted(value, indent, implicitKey);
  if (DOCUMENT_MARKER.test(value)) {
    // At the root yaml forces an indented block; no generated value sits at the root.
    if (indent === '') throw new Unsupported();
    if (implicitKey && indent === INDENT_STEP) return quoted(value, indent, implicitKey);
  }
  if (readsAsNonString(value)) return quoted(value, indent, implicitKey);
  return value;
}

function quoted(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, indent, implicitKey) : doubleQuoted(value, indent, implicitKey);
}

function singleQuoted(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, indent, implicitKey);
  const ind = indent || (DOCUMENT_MARKER.test(value) ? INDENT_STEP : '');
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${ind}`)}'`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '0000': '\\0',
  '0007': '\\a',
  '000b': '\\v',
  '001b': '\\e',
  '0085': '\\N',
  '00a0': '\\_',
  '2028': '\\L',
  '2029': '\\P',
};

/** Port of yaml's doubleQuotedString (no folding: lineWidth 0), GO_YAML_UNSAFE characters escaped. */
function doubleQuoted(value: string, indent: string, implicitKey: boolean): string {
  return escapeGoYamlUnsafe(libraryDoubleQuoted(value, indent, implicitKey));
}

function libraryDoubleQuoted(value: string, indent: string, implicitKey: boolean): string {
  const json = JSON.stringify(value);
  const ind = indent || (DOCUMENT_MARKER.test(value) ? INDENT_STEP : '');
  let out = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // A space before a line break is escaped so that folding keeps it.
      out += `${json.slice(start, i)}\\ `;
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch !== '\\') continue;
    const next = json[i + 1];
    if (next === 'u') {
      out += json.slice(start, i);
      const code = json.substr(i + 2, 4);
      out += SHORT_ESCAPES[code] ?? (code.startsWith('00') ? `\\x${code.slice(2)}` : json.substr(i, 6));
      i += 5;
      start = i + 1;
    } else if (next === 'n') {
      if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTILINE) {
        i += 1;
      } else {
        // Written as real line breaks: a folded line break reads back as one "\n".
        out += `${json.slice(start, i)}\n\n`;
        while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
          out += '\n';
          i += 2;
        }
        out += ind;
        if (json[i + 2] === ' ') out += '\\';
        i += 1;
        start = i + 1;
      }
    } else {
      i += 1;
    }
  }
  return start ? out + json.slice(start) : json;
}

/** Port of yaml's blockString for the literal style (`|`), the only block style lineWidth 0 yields. */
/** /\n[\t ]+$/.test(s), looking only at the end (the regex tries every line of long JSON). */
function endsInBlankLine(s: string): boolean {
  let i = s.length;
  while (i > 0 && (s[i - 1] === ' ' || s[i - 1] === '\t')) i--;
  return i < s.length && s[i - 1] === '\n';
}

function block(input: string, indent: string, implicitKey: boolean): string {
  if (endsInBlankLine(input)) return quoted(input, indent, implicitKey);
  // Deliberately unlike yaml 2.9, which writes " \n" as a block that reads back as "\n".
  if (/^[\t \n]*$/.test(input) && /[\t ]/.test(input)) return doubleQuoted(input, indent, implicitKey);
  const ind = indent || (DOCUMENT_MARKER.test(input) ? INDENT_STEP : '');
  let value = input;
  let endStart = value.length;
  while (endStart > 0) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
    endStart--;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  const chomp = endNlPos === -1 ? '-' : value === end || endNlPos !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end.endsWith('\n')) end = end.slice(0, -1);
    end = end.replace(/(^|(?<!\n))\n+(?!\n|$)/g, `$&${ind}`);
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNlPos = -1;
  for (; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${ind}`);
  }
  const header = (startWithSpace ? (ind ? '2' : '1') : '') + chomp;
  value = value.replace(/\n+/g, `$&${ind}`);
  return `|${header}\n${ind}${start}${value}${end}`;
}
