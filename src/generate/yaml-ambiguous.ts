/**
 * @module generate/yaml-ambiguous
 * Which strings must be quoted in generated YAML so that every reader gets the same string back.
 *
 * Generated files are read by YAML 1.2 parsers (js-yaml, go-yaml v3) and by YAML 1.1 parsers:
 * kubectl and the API machinery read manifests through sigs.k8s.io/yaml (go-yaml v2), PyYAML is
 * 1.1 too. Written plain, `customer_facing: yes` is the boolean true to those, a key `on:` is
 * the key true, `1:20` is the integer 80 (base 60) and `0777` is 511. So a string is quoted when
 * it reads as anything but itself under either version. Quoting more than needed costs nothing:
 * every parser reads a quoted scalar as a string.
 *
 * go-yaml (promtool, kubectl) also refuses some characters outright and reads others as line
 * breaks wherever they stand, quotes included (GO_YAML_UNSAFE); YAML 1.2 parsers take them as
 * text, and the `yaml` library writes them raw even inside double quotes (its escapes come from
 * JSON.stringify, which keeps them). Strings holding one are double-quoted with it escaped.
 */
import { Document, isScalar, visit } from 'yaml';

/** Plain scalars that the YAML 1.2 core schema or the YAML 1.1 type repository reads as non-strings. */
const NON_STRING_PLAIN: readonly RegExp[] = [
  // null (both); the empty plain scalar is null too
  /^(?:~|[Nn]ull|NULL)?$/,
  // booleans: 1.2 has only true/false, 1.1 also y/n, yes/no, on/off in these case variants
  /^(?:[Yy]|[Yy]es|YES|[Nn]|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF)$/,
  // integers: 1.2 decimal, 0o octal and 0x hex; 1.1 adds `_` separators, 0-prefixed octal (both
  // within the first form), signed hex, 0b binary and base 60 (`1:20` is 80)
  /^[-+]?[0-9][0-9_]*$/,
  /^0o[0-7]+$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  // floats: infinities and NaN; decimals with a point (1.1 allows `_`, `1.` and, in the yaml
  // library, a bare `.`), optionally with an exponent; an exponent without a point (`1e3` in 1.2;
  // the yaml library's 1.1 schema also takes `e3`); base 60
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?(?:[0-9][0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  // 1.1 timestamps: a date, optionally with a time and zone
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:[ \t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
  // 1.1 merge key (go-yaml v2 merges `<<:` maps) and value key (PyYAML fails to load a plain `=`)
  /^(?:<<|=)$/,
];

/** True when `value`, written as a plain scalar, would not read back as the string `value` under YAML 1.1 or 1.2. */
export function readsAsNonString(value: string): boolean {
  // Every pattern above starts with one of these characters (or matches ""): most generated
  // strings (expressions, descriptions, dashboard JSON) are ruled out by their first one.
  if (value !== '' && !MAY_START_NON_STRING.has(value[0]!)) return false;
  return NON_STRING_PLAIN.some((re) => re.test(value));
}

const MAY_START_NON_STRING = new Set('~nNyYtTfFoO0123456789+-.eE<='.split(''));

/**
 * Characters go-yaml refuses anywhere in a document ("control characters are not allowed":
 * U+007F–U+0084, U+0086–U+009F, U+FFFE, U+FFFF) or reads as a line break even inside quotes or
 * a block scalar (U+0085, U+2028, U+2029), so a generated file holding one raw cannot be read
 * by promtool or kubectl, or reads as another string.
 */
export const GO_YAML_UNSAFE = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]/;
const GO_YAML_UNSAFE_ALL = new RegExp(GO_YAML_UNSAFE.source, 'g');

/**
 * `text` with every GO_YAML_UNSAFE character written as a `\uXXXX` escape, which means the same
 * character in a JSON string and in a YAML double-quoted scalar: for JSON text, or YAML text in
 * which every such character is inside double quotes.
 */
export function escapeGoYamlUnsafe(text: string): string {
  if (!GO_YAML_UNSAFE.test(text)) return text;
  return text.replace(GO_YAML_UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A one-line string holding a tab. The `yaml` library writes it plain (`v: a<TAB>b`), which YAML
 * allows, but PyYAML's scanner ends a plain scalar at a tab and then fails on it ("found character
 * '\t' that cannot start any token"). Quoted or in a block scalar (multi-line strings) it reads a
 * tab fine; such strings are double-quoted, the tab written `\t`.
 */
export function tabInPlain(value: string): boolean {
  return value.includes('\t') && !value.includes('\n');
}

const LIBRARY_OPTIONS = { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false } as const;

/**
 * The `yaml` library's text of `value` (options LIBRARY_OPTIONS), with every string that
 * readsAsNonString double-quoted, keys included. The library alone quotes only for the YAML
 * version it writes (its `version: '1.1'` would leave 1.2's `0o17` plain), hence the visit.
 * Strings holding a GO_YAML_UNSAFE character are double-quoted too, and the character escaped
 * (the library would write it raw), and so are one-line strings holding a tab (tabInPlain). This
 * is the reference the fast emitter (generate/yaml-emit.ts) matches byte for byte.
 */
export function stringifyQuotingAmbiguous(value: unknown): string {
  const doc = new Document(value, LIBRARY_OPTIONS);
  visit(doc, {
    Scalar(_key, node) {
      if (
        isScalar(node) &&
        typeof node.value === 'string' &&
        (readsAsNonString(node.value) || GO_YAML_UNSAFE.test(node.value) || tabInPlain(node.value))
      ) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  // Every such character is now inside double quotes, where the escape means the same.
  return escapeGoYamlUnsafe(doc.toString(LIBRARY_OPTIONS));
}
