/**
 * Generated Go (RE2) regexps and label values for matcher tests: patterns valid in Go by
 * construction — risky shapes (nested and adjacent repetitions, repeated groups and assertions,
 * alternations in a row), every flag (`i`, `m`, `s`, `U`, also scoped and part-way, `(?i:…)`,
 * `foo(?i)bar`), classes (POSIX ones negated too: `[[:^alpha:]]`), Unicode classes, `\Q…\E`,
 * named groups — and short values drawn from characters where the dialects could part (astral
 * characters, lone surrogates, newlines, `\v`, a no-break space, case variants such as
 * `ſ`/`s`/`S`, the Kelvin sign, `ß`/`ẞ`, final sigma).
 * Used by test/property-matcher-regexp.test.ts (V8 translation against re2js) and
 * test/matcher-regexp-go.test.ts (matchers against Go's regexp, in amtool).
 */
import fc from 'fast-check';

const literal = fc.constantFrom('a', 'b', 'k', 's', 'A', 'S', 'K', 'ß', 'é', 'α', 'σ', 'Σ', 'ς', '🙂', '1', '_', '-', ' ', '\\.', '\\-', '\\n', '\\t', '\\x41', '\\x{1F642}', '\\x{212A}', '\\101', '{', ']', '\\Qa.\\E', '\\Q🙂*\\E');
const charClass = fc.constantFrom(
  '.', '\\d', '\\D', '\\s', '\\S', '\\w', '\\W', '\\pL', '\\PL', '\\p{Greek}', '\\p{Lu}', '\\p{^Ll}', '\\pN', '\\P{Ll}', '\\P{Greek}', '\\p{^Lu}',
  '[a-c]', '[^a]', '[^\\n]', '[[:alpha:]]', '[[:word:][:digit:]]', '[[:space:]]', '[\\d-z]', '[🙂-🙃]', '[^🙂]', '[ßk]', '[^k]', '[^s]',
  '[\\s\\S]', '[\\x{1F600}-\\x{1F64F}]', '[A-Z]', '[ſ]', '[\\p{Greek}a]', '[^\\w]', '[\\W]', '[^\\S]', '[K]', '[\\P{Lu}]', '[^\\P{Ll}]', '[^\\p{Lu}]',
  '[0-9]', '[^-.]',
  // Negated POSIX classes, alone, inside a negated class, and beside other members.
  '[[:^alpha:]]', '[[:^digit:]]', '[^[:^lower:]]', '[a[:^space:]]', '[[:^word:]\\d]', '[[:^upper:]K]', '[^[:^punct:]a]',
);
const assertion = fc.constantFrom('^', '$', '\\A', '\\z', '\\b', '\\B');
const quantifier = fc.constantFrom('*', '+', '?', '*?', '+?', '??', '{2}', '{0,2}', '{1,}', '{2,3}?', '{0}');
const flagSetter = fc.constantFrom('(?s)', '(?m)', '(?-s)', '(?sm)', '(?i)', '(?-i)', '(?U)', '(?-U)', '(?iU)', '(?i-s)');
const opener = fc.constantFrom('(', '(?:', '(?P<n>', '(?<m>', '(?s:', '(?m:', '(?-s:', '(?i:', '(?-i:', '(?U:', '(?iU:');

const { pattern } = fc.letrec<{ pattern: string; alternation: string; sequence: string; item: string; group: string; operand: string }>((tie) => ({
  pattern: fc.tuple(fc.constantFrom('', '', '(?i)', '(?s)', '(?is)', '(?m)', '(?U)'), tie('alternation')).map(([flags, body]) => flags + body),
  alternation: fc.array(tie('sequence'), { minLength: 1, maxLength: 3, depthIdentifier: 'regex' }).map((seqs) => seqs.join('|')),
  sequence: fc.array(tie('item'), { maxLength: 4, depthIdentifier: 'regex' }).map((items) => items.join('')),
  item: fc.oneof(
    { depthSize: 'small', depthIdentifier: 'regex' },
    literal,
    charClass,
    assertion,
    flagSetter,
    tie('group'),
    fc.tuple(tie('operand'), quantifier).map(([x, q]) => x + q),
  ),
  // What a quantifier may follow: never a quantified item (`a**` is a syntax error in Go).
  operand: fc.oneof({ depthSize: 'small', depthIdentifier: 'regex' }, literal, charClass, assertion, tie('group')),
  group: fc.tuple(opener, tie('alternation')).map(([open, body]) => `${open}${body})`),
}));

/** A Go regexp, valid by construction. */
export const goPattern: fc.Arbitrary<string> = pattern;

/** Characters of generated values; the lone surrogates last (a command line cannot carry them). */
export const VALUE_CHARS = ['a', 'b', 'A', 'k', 'K', '\u212a', 's', 'S', 'ſ', 'ß', 'ẞ', 'é', 'É', 'α', 'Σ', 'σ', 'ς', '1', '_', '-', '.', ' ', '\n', '\t', '\v', '\u00a0', 'µ', 'μ', 'Μ', '🙂', '😀', '{', ']', '\ud83d', '\udc00'];

/** A label value of up to 8 characters from `chars`. */
export function labelValue(chars: readonly string[] = VALUE_CHARS): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...chars), { maxLength: 8 }).map((cs) => cs.join(''));
}

/** Whether a generated pattern sets flag `i` anywhere (on or off): only those may lack an exact V8 translation. */
export function setsFlagI(re: string): boolean {
  return /\(\?[imsU-]*i[imsU-]*[:)]/.test(re);
}
