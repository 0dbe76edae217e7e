/**
 * @module config/go-regexp
 * Compile a Go (RE2) regular expression, as Alertmanager matchers use them, into an equivalent
 * JavaScript RegExp, fully anchored like Alertmanager's `^(?:re)$`.
 *
 * Why a translation and not `new RegExp(re)`: the two dialects disagree in ways that would make a
 * config behave differently here than in Alertmanager — `\s`/`.` cover different characters, `\z`,
 * `(?i)`, `(?P<name>…)`, `[[:alpha:]]` and `\pL` are Go-only, a lone `{` or `]` is a literal in Go,
 * and Go rejects backreferences and lookarounds that JavaScript would accept. The pattern is scanned
 * once and rewritten for the `u` flag (so `.` matches one code point, as Go matches one rune).
 *
 * Flags: `s` and `m` anywhere (`(?s)`, `(?m:…)`; the rewrite applies them). `U` (ungreedy) only
 * changes which repetition prefers more, never whether the whole value matches: it is read and
 * needs nothing in the rewrite. `i` anywhere too, but JavaScript (Node 20) has only a flag for the
 * whole pattern: the translation is exact when every case-sensitive atom is read under `(?i)` or
 * every one without it (`(?i)foo`, `(?i:foo|bar)`, `foo-(?i)[0-9]+`). A pattern that mixes them
 * (`foo(?i)bar`, `(?i:payments)-prod`) is valid and parsed, but its RegExp is not exact
 * (`GoRegexp.regexpExact`): matchers run it on re2js (config/matcher-regexp.ts), which reads Go's
 * text itself. Negated POSIX classes (`[[:^alpha:]]`) are rewritten as the complement's ranges.
 *
 * The scan follows Go's regexp/syntax parser token by token, so a pattern is refused exactly when
 * Go refuses it, with Go's message ("missing argument to repetition operator: `*`"), and valid Go
 * is never refused for being invalid JavaScript as written (`^*`, `[\d-z]`, `(?P<1>x)`) nor for
 * having no JavaScript equivalent. `checkPromqlRegexp` applies it to PromQL label matchers, as
 * Prometheus compiles them.
 *
 * `parseGoRegexp` also answers the pattern's structure (`RegexpShape`), so that
 * regexp-backtracking.ts can tell whether JavaScript's backtracking engine may run it, and the
 * pattern as a RE2 port (re2js) reads it, for the patterns it may not.
 *
 * The RegExp it produces backtracks: never match label values with it directly (a pattern such as
 * `(a+)+` stalls on a long value). Matchers compile through config/matcher-regexp.ts, which runs
 * on V8 only what regexp-backtracking.ts proves bounded. Tests compare the bare translation with
 * Go through go-regexp.case.ts.
 *
 * @example
 * parseGoRegexp('(?i)checkout|basket').regexpExact // true
 * parseGoRegexp('foo(?i)bar').regexpExact          // false: `i` covers only part of it
 */

/** Go's `\s` (ASCII only, no `\v`). */
const GO_SPACE = '\\t\\n\\f\\r ';
/** Everything but GO_SPACE, for `\S` inside a class: JS's `\S` also leaves out `\v` and Unicode spaces. */
const GO_NOT_SPACE = '\\0-\\x08\\x0B\\x0E-\\x1F\\x21-\\u{10FFFF}';
/** Code point ranges, [lo, hi] inclusive. */
type Ranges = ReadonlyArray<readonly [number, number]>;
const codeOf = (ch: string): number => ch.codePointAt(0)!;
const DIGITS = [codeOf('0'), codeOf('9')] as const;
const UPPER = [codeOf('A'), codeOf('Z')] as const;
const LOWER = [codeOf('a'), codeOf('z')] as const;
/** Go's POSIX classes (regexp/syntax perl_groups.go): ASCII only. */
const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [DIGITS, UPPER, LOWER],
  alpha: [UPPER, LOWER],
  ascii: [[0, 0x7f]],
  blank: [[9, 9], [32, 32]],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]],
  digit: [DIGITS],
  graph: [[0x21, 0x7e]],
  lower: [LOWER],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[9, 13], [32, 32]],
  upper: [UPPER],
  word: [DIGITS, UPPER, LOWER, [0x5f, 0x5f]],
  xdigit: [DIGITS, [codeOf('A'), codeOf('F')], [codeOf('a'), codeOf('f')]],
};
const MAX_CODE_POINT = 0x10ffff;

/** Every code point not in `ranges` (in any order, not overlapping). */
function complement(ranges: Ranges): Ranges {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/**
 * Whether case folding can tell characters of this range apart from others: it holds an ASCII
 * letter or anything beyond ASCII (conservatively). Digits, punctuation and ASCII controls have no
 * case variants in Go or JavaScript, so `(?i)` changes nothing about them.
 */
function isCased(lo: number, hi: number): boolean {
  return hi >= 0x80 || (lo <= UPPER[1] && hi >= UPPER[0]) || (lo <= LOWER[1] && hi >= LOWER[0]);
}
const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn Any'.split(' '),
);
/** Characters that must stay escaped in a `u`-mode RegExp to be literal. */
const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/'.split(''));

/**
 * The structure of a parsed pattern, as Go's parser groups it: what each repetition applies to and
 * which alternatives a path can take. Enough to bound backtracking (regexp-backtracking.ts).
 */
export type RegexpShape =
  /** Exactly one character: a literal, a class, `.`, `\d`, `\pL`, `\x{…}`. */
  | { kind: 'char' }
  /** Zero-width: `^`, `$`, `\A`, `\z`, `\b`, `\B`. */
  | { kind: 'assert' }
  /** `(…)`, `(?:…)` or the whole pattern: its alternatives, each a sequence. */
  | { kind: 'group'; alts: RegexpShape[][] }
  /** `*`, `+`, `?`, `{n,m}` over `of`; max -1: no upper bound. */
  | { kind: 'repeat'; min: number; max: number; of: RegexpShape };

const CHAR: RegexpShape = { kind: 'char' };

interface Flags {
  s: boolean;
  m: boolean;
  i: boolean;
}

/** A syntax error Go's regexp/syntax reports, worded as it words it: `<code>: \`<text>\``. */
class GoRegexpError extends Error {
  constructor(code: string, expr: string) {
    super(`${code}: \`${expr}\``);
  }
}

function literal(ch: string): string {
  return SYNTAX_CHARS.has(ch) ? `\\${ch}` : ch;
}

function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** A class member as a code point: letters and digits as themselves, anything else escaped. */
function classChar(cp: number): string {
  return /^[A-Za-z0-9]$/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : codePointEscape(cp);
}

function classRanges(ranges: Ranges): string {
  return ranges.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
}

/** Go caps a repeat count, and the product of nested counts, at 1000 (regexp/syntax repeatIsValid). */
const MAX_REPEAT = 1000;

/**
 * One open group (the outermost stands for the whole pattern), as Go's parser stack sees it:
 * what the next repetition operator would apply to, and how much nested repetition it holds.
 */
interface Frame {
  /** Flags to restore when the group closes. */
  outer: Flags;
  /** Index in `out` of the group's `(`. */
  open: number;
  /** Index in `out` where the last atom starts; undefined at the group's start or after `|` (nothing to repeat). */
  atomStart: number | undefined;
  /** `assertion` and `repeated` atoms need a `(?:…)` around them before JavaScript lets them be repeated. */
  atomKind: 'plain' | 'assertion' | 'repeated';
  /**
   * The smallest budget Go's repeatIsValid needs for the last atom (0: any): `(a{10}){10}` needs 100.
   * A `{n,m}` with n or m ≥ 2 over an atom needing more than 1000 is "invalid repeat count".
   */
  atomReq: number;
  /** The same, over the group's earlier atoms. */
  maxReq: number;
  /** The group's alternatives so far; the last is the one being read, its last item the atom at `atomStart`. */
  alts: RegexpShape[][];
}

/**
 * Translator for one pattern; `pos` walks `src`. It follows Go's regexp/syntax parser (Perl flags)
 * token by token, so a pattern is refused exactly when Go refuses it, with Go's message.
 * Flag `i` is not applied by the rewrite: the atoms read under it and without it are counted, and
 * the RegExp gets JavaScript's `i` flag when only the former hold case-sensitive atoms
 * (`ignoreCase`). A mix has no exact translation (`inexactReason`); its RegExp (case-sensitive
 * throughout) still says rightly whether "" matches, which case never decides.
 */
class Translator {
  private pos = 0;
  private out = '';
  private flags: Flags = { s: false, m: false, i: false };
  private readonly stack: Frame[] = [];
  /** Where the repetition operator just before the current token started, if the last token was one. */
  private lastRepeat: number | undefined;
  /** No `:]` (end of a POSIX class name) from here on. */
  private noPosixEndFrom = Infinity;
  /** Case-sensitive atoms (`isCased`) read under `(?i)`, and without it. */
  private casedFolded = 0;
  private casedExact = 0;
  /**
   * A `\b`, `\B`, negated Unicode class (`\P{Ll}`, `\p{^Greek}`) or negated POSIX class of letters
   * (`[[:^alpha:]]`) was read: under JavaScript's `i` flag their translation means something else
   * than in Go. JavaScript's `i` flag counts `ſ` and the Kelvin sign as word characters for `\b`
   * (Go's `\b` ignores `(?i)`); and it matches a value's character against a complemented set by
   * its case variants (`a` is in `\P{Ll}` because `A` is), where Go folds the set first and then
   * complements it (`(?i)\P{Ll}` matches neither `a` nor `A`).
   */
  foldSensitive = false;
  /** Source spans of `(?P<name>` / `(?<name>` openers, for `re2Source`. */
  private readonly namedOpeners: Array<[from: number, to: number]> = [];

  constructor(private readonly src: string) {
    this.stack.push(this.frame(0));
  }

  /** The RegExp needs JavaScript's `i` flag: every case-sensitive atom was read under `(?i)`. */
  get ignoreCase(): boolean {
    return this.casedFolded > 0 && this.casedExact === 0;
  }

  /** Why the RegExp cannot mean exactly what Go does (after `translate`), or undefined: it does. */
  get inexactReason(): string | undefined {
    if (this.casedFolded > 0 && this.casedExact > 0) return 'flag i covers only part of the pattern, and JavaScript\'s covers all of it';
    if (this.ignoreCase && this.foldSensitive) return 'JavaScript\'s flag i changes what \\b, \\B and negated classes match';
    return undefined;
  }

  translate(): string {
    while (this.pos < this.src.length) this.step();
    if (this.stack.length > 1) throw new GoRegexpError('missing closing )', this.src);
    return this.out;
  }

  /** The whole pattern's structure (after `translate`). */
  get shape(): RegexpShape {
    return { kind: 'group', alts: this.stack[0]!.alts };
  }

  /**
   * The pattern with each named group's opener made `(?:` (after `translate`): RE2/J, and so
   * re2js, refuses a name used twice, which Go accepts (`(?P<1>x)(?P<1>y)`); names change no match.
   */
  get re2Source(): string {
    let text = '';
    let from = 0;
    for (const [start, end] of this.namedOpeners) {
      text += `${this.src.slice(from, start)}(?:`;
      from = end;
    }
    return text + this.src.slice(from);
  }

  private frame(open: number): Frame {
    return { outer: this.flags, open, atomStart: undefined, atomKind: 'plain', atomReq: 0, maxReq: 0, alts: [[]] };
  }

  private get cur(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  /** A new atom starting at `start` in `out` (the text already there or appended next). */
  private setAtom(start: number, shape: RegexpShape, kind: Frame['atomKind'] = 'plain', req = 0): void {
    const f = this.cur;
    f.maxReq = Math.max(f.maxReq, f.atomReq);
    f.atomStart = start;
    f.atomKind = kind;
    f.atomReq = req;
    f.alts[f.alts.length - 1]!.push(shape);
  }

  /** A one-character atom; `cased`: `(?i)` can change what it matches (`isCased`). */
  private atom(text: string, cased: boolean): void {
    if (cased) {
      if (this.flags.i) this.casedFolded++;
      else this.casedExact++;
    }
    this.setAtom(this.out.length, CHAR);
    this.out += text;
  }

  /** A literal character as an atom. */
  private literalAtom(ch: string): void {
    this.atom(literal(ch), isCased(codeOf(ch), codeOf(ch)));
  }

  /** A zero-width atom. */
  private assertion(text: string): void {
    this.setAtom(this.out.length, { kind: 'assert' }, 'assertion');
    this.out += text;
  }

  private step(): void {
    const lastRepeat = this.lastRepeat;
    this.lastRepeat = undefined;
    const start = this.pos;
    const ch = this.next();
    switch (ch) {
      case '\\':
        this.backslash(start);
        return;
      case '.':
        this.atom(this.flags.s ? '[^]' : '[^\\n]', false);
        return;
      case '^':
        this.assertion(this.flags.m ? '(?<![^\\n])' : '(?<![^])');
        return;
      case '$':
        this.assertion(this.flags.m ? '(?![^\\n])' : '(?![^])');
        return;
      case '(':
        if (this.src[this.pos] === '?') this.perlGroup(start);
        else this.openGroup('(', this.flags);
        return;
      case ')':
        this.closeGroup();
        return;
      case '|': {
        const f = this.cur;
        f.maxReq = Math.max(f.maxReq, f.atomReq);
        f.atomReq = 0;
        f.atomStart = undefined;
        f.alts.push([]);
        this.out += '|';
        return;
      }
      case '[':
        this.charClass(start);
        return;
      case '*':
      case '+':
      case '?':
        this.repeat(start, lastRepeat, ch);
        return;
      case '{':
        this.braces(start, lastRepeat);
        return;
      default:
        this.literalAtom(ch);
    }
  }

  private next(): string {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) throw new Error('unexpected end of pattern'); // callers look first
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }

  private openGroup(text: string, inner: Flags): void {
    this.stack.push(this.frame(this.out.length));
    this.out += text;
    this.flags = inner;
  }

  private closeGroup(): void {
    if (this.stack.length === 1) throw new GoRegexpError('unexpected )', this.src);
    const f = this.stack.pop()!;
    this.out += ')';
    this.flags = f.outer;
    this.setAtom(f.open, { kind: 'group', alts: f.alts }, 'plain', Math.max(f.maxReq, f.atomReq));
  }

  /** After `(` when `?` follows: a named group, a non-capturing group, or flags (Go's parsePerlFlags). */
  private perlGroup(start: number): void {
    const s = this.src.slice(start);
    if (s.startsWith('(?<=') || s.startsWith('(?<!')) throw new GoRegexpError('invalid or unsupported Perl syntax', '(?<');
    // `(?P<name>` and (Go 1.22, Prometheus 3) `(?<name>`.
    const nameAt = s.length > 4 && s[2] === 'P' && s[3] === '<' ? 4 : s.length > 3 && s[2] === '<' ? 3 : 0;
    if (nameAt > 0) {
      const end = s.indexOf('>');
      if (end < 0) throw new GoRegexpError('invalid named capture', s);
      if (!/^[A-Za-z0-9_]+$/.test(s.slice(nameAt, end))) throw new GoRegexpError('invalid named capture', s.slice(0, end + 1));
      this.pos = start + end + 1;
      this.namedOpeners.push([start, this.pos]);
      // A plain group: JavaScript's group names are stricter than Go's (`(?P<1>`) and must be unique.
      this.openGroup('(', this.flags);
      return;
    }
    const set: Array<[flag: string, on: boolean]> = [];
    let sign = 1;
    let sawFlag = false;
    let i = 2;
    while (i < s.length) {
      const c = String.fromCodePoint(s.codePointAt(i)!);
      i += c.length;
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        set.push([c, sign > 0]);
        sawFlag = true;
      } else if (c === '-') {
        if (sign < 0) break;
        sign = -1;
        sawFlag = false;
      } else if (c === ':' || c === ')') {
        if (sign < 0 && !sawFlag) break;
        this.pos = start + i;
        const flags = { ...this.flags };
        // `U` only swaps which repetitions prefer more: whether the whole value matches is the same.
        for (const [flag, on] of set) if (flag !== 'U') flags[flag as keyof Flags] = on;
        if (c === ':') this.openGroup('(?:', flags);
        else this.flags = flags; // `(?s)` changes the flags of the enclosing group; it opens nothing
        return;
      } else break;
    }
    throw new GoRegexpError('invalid or unsupported Perl syntax', s.slice(0, i));
  }

  /** `*`, `+`, `?` (op) or a `{n,m}` repeat (min, max; max -1: none) starting at `start`, `pos` after it. */
  private repeat(start: number, lastRepeat: number | undefined, op: string, min = 0, max = 0): void {
    if (this.src[this.pos] === '?') this.pos++; // lazy
    const text = this.src.slice(start, this.pos);
    if (lastRepeat !== undefined) throw new GoRegexpError('invalid nested repetition operator', this.src.slice(lastRepeat, this.pos));
    const f = this.cur;
    if (f.atomStart === undefined) throw new GoRegexpError('missing argument to repetition operator', text);
    let req = f.atomReq;
    if (op === '{') {
      const m = max < 0 ? min : max;
      req = max === 0 ? 0 : m > 0 ? m * Math.max(req, 1) : req;
      if ((min >= 2 || max >= 2) && req > MAX_REPEAT) throw new GoRegexpError('invalid repeat count', text);
    }
    // JavaScript repeats neither an assertion nor a repetition; Go does (`^*`, `a*(?i)*`).
    if (f.atomKind !== 'plain') this.out = `${this.out.slice(0, f.atomStart)}(?:${this.out.slice(f.atomStart)})`;
    this.out += op === '{' ? `{${min}${max === min ? '' : `,${max < 0 ? '' : max}`}}` : op;
    if (text.endsWith('?') && text.length > 1) this.out += '?';
    f.atomKind = 'repeated';
    f.atomReq = req;
    const seq = f.alts[f.alts.length - 1]!;
    const [lo, hi] = op === '*' ? [0, -1] : op === '+' ? [1, -1] : op === '?' ? [0, 1] : [min, max];
    seq.push({ kind: 'repeat', min: lo, max: hi, of: seq.pop()! });
    this.lastRepeat = start;
  }

  /** `{n}`, `{n,}`, `{n,m}` repeat (Go's parseRepeat: no leading zeros); anything else is a literal `{`. */
  private braces(start: number, lastRepeat: number | undefined): void {
    const rep = /^(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}/.exec(this.src.slice(this.pos));
    if (!rep) {
      this.atom('\\{', false);
      return;
    }
    this.pos += rep[0].length;
    const min = Number(rep[1]);
    const max = rep[2] === undefined ? min : rep[3] === undefined ? -1 : Number(rep[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) throw new GoRegexpError('invalid repeat count', this.src.slice(start, this.pos));
    this.repeat(start, lastRepeat, '{', min, max);
  }

  /** After a backslash outside a class (`start`: the backslash). */
  private backslash(start: number): void {
    const c = this.src[this.pos];
    switch (c) {
      case 'A':
        this.pos++;
        return this.assertion('(?<![^])');
      case 'z':
        this.pos++;
        return this.assertion('(?![^])');
      case 'b':
      case 'B':
        this.pos++;
        this.foldSensitive = true;
        return this.assertion(`\\${c}`);
      case 'Q':
        return this.quoted();
      case 'p':
      case 'P':
        this.pos++;
        return this.atom(this.unicodeClass(c, start), true);
      default:
        break;
    }
    const perl = c === undefined ? undefined : this.perlClass(c, false);
    if (perl !== undefined) {
      this.pos++;
      return this.atom(perl, c === 'w' || c === 'W');
    }
    const code = this.escape(start);
    this.atom(codePointEscape(code), isCased(code, code));
  }

  /** `\d`, `\s`, `\w` and their negations, as JavaScript; undefined for any other letter. */
  private perlClass(c: string, inClass: boolean): string | undefined {
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 's':
        return inClass ? GO_SPACE : `[${GO_SPACE}]`;
      case 'S':
        return inClass ? GO_NOT_SPACE : `[^${GO_SPACE}]`;
      default:
        return undefined;
    }
  }

  /** A one-character escape (Go's parseEscape), `pos` after the backslash at `start`: its code point. */
  private escape(start: number): number {
    if (this.pos >= this.src.length) throw new GoRegexpError('trailing backslash at end of expression', '');
    const c = this.next();
    const invalid = (): never => {
      throw new GoRegexpError('invalid escape sequence', this.src.slice(start, this.pos));
    };
    if (c >= '0' && c <= '7') {
      // A single non-zero digit would be a backreference, which RE2 does not support.
      const more = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0];
      if (c !== '0' && more.length === 0) return invalid();
      this.pos += more.length;
      return parseInt(c + more, 8);
    }
    switch (c) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'v':
        return 11;
      case 'x': {
        const braced = /^\{([0-9A-Fa-f]*)(\}?)/.exec(this.src.slice(this.pos));
        if (braced) {
          this.pos += braced[0].length;
          const cp = parseInt(braced[1]!, 16);
          if (!braced[2] && this.pos < this.src.length) this.next(); // Go's message quotes the character that ended the digits
          if (!braced[2] || braced[1] === '' || cp > 0x10ffff) return invalid();
          return cp;
        }
        const two = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.pos));
        if (!two) {
          this.pos = Math.min(this.pos + 2, this.src.length);
          return invalid();
        }
        this.pos += 2;
        return parseInt(two[0], 16);
      }
      default:
        // Go: a backslash before ASCII punctuation makes it literal; before anything else it is an error.
        if (c.codePointAt(0)! < 0x80 && !/^[A-Za-z0-9]$/.test(c)) return c.codePointAt(0)!;
        return invalid();
    }
  }

  /** `\p{Greek}`, `\pL`, `\P{^Lu}`, `pos` after the `p` of the backslash at `start`. */
  private unicodeClass(p: string, start: number): string {
    let negate = p === 'P';
    let name: string;
    if (this.src[this.pos] === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end < 0) throw new GoRegexpError('invalid character class range', this.src.slice(start));
      name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = this.pos < this.src.length ? this.next() : '';
    }
    const seq = this.src.slice(start, this.pos);
    if (name.startsWith('^')) {
      negate = !negate;
      name = name.slice(1);
    }
    if (negate) this.foldSensitive = true;
    const prop = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    const text = `\\${negate ? 'P' : 'p'}{${prop}}`;
    if (!/^[A-Za-z_]+$/.test(name) || !isValidJsClass(text)) throw new GoRegexpError('invalid character class range', seq);
    return text;
  }

  /** `\Q…\E`: everything in between is literal (each character its own atom, as in Go). */
  private quoted(): void {
    this.pos++;
    const end = this.src.indexOf('\\E', this.pos);
    const text = end === -1 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
    this.pos = end === -1 ? this.src.length : end + 2;
    for (const ch of text) this.literalAtom(ch);
  }

  /** A bracketed class starting at `start` (Go's parseClass), `pos` after the `[`. */
  private charClass(start: number): void {
    let body = '';
    /** Whether `(?i)` can change what the class matches; negating it changes nothing about that. */
    let cased = false;
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const missing = (): GoRegexpError => new GoRegexpError('missing closing ]', this.src.slice(start));
    let first = true;
    for (;;) {
      if (this.pos >= this.src.length) throw missing();
      if (this.src[this.pos] === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      const rest = this.src.slice(this.pos);
      if (rest.startsWith('[:') && this.pos + 2 < this.noPosixEndFrom) {
        const end = rest.indexOf(':]', 2);
        if (end < 0) this.noPosixEndFrom = this.pos + 2; // none later either: `[[:[:[:…` stays linear
        else {
          const whole = rest.slice(0, end + 2);
          const negatedPosix = whole[2] === '^';
          const name = whole.slice(negatedPosix ? 3 : 2, end);
          const set = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (set === undefined) throw new GoRegexpError('invalid character class range', whole);
          this.pos += whole.length;
          const setCased = set.some(([lo, hi]) => isCased(lo, hi));
          // JavaScript's class syntax has no negated member: the complement's ranges instead.
          body += classRanges(negatedPosix ? complement(set) : set);
          cased ||= setCased || negatedPosix;
          if (negatedPosix && setCased) this.foldSensitive = true;
          continue;
        }
      }
      if (rest[0] === '\\' && (rest[1] === 'p' || rest[1] === 'P')) {
        this.pos += 2;
        body += this.unicodeClass(rest[1], this.pos - 2);
        cased = true;
        continue;
      }
      const perl = rest[0] === '\\' && rest[1] !== undefined ? this.perlClass(rest[1], true) : undefined;
      if (perl !== undefined) {
        this.pos += 2;
        body += perl;
        cased ||= rest[1] === 'w' || rest[1] === 'W';
        continue;
      }
      const rangeStart = this.pos;
      const lo = this.classMember(missing);
      let hi = lo;
      if (this.src[this.pos] === '-' && this.pos + 1 < this.src.length && this.src[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.classMember(missing);
        if (hi < lo) throw new GoRegexpError('invalid character class range', this.src.slice(rangeStart, this.pos));
      }
      body += classRanges([[lo, hi]]);
      cased ||= isCased(lo, hi);
    }
    this.atom(`[${negated ? '^' : ''}${body}]`, cased);
  }

  /** One character of a class (Go's parseClassChar): its code point. */
  private classMember(missing: () => GoRegexpError): number {
    if (this.pos >= this.src.length) throw missing();
    const start = this.pos;
    const ch = this.next();
    return ch === '\\' ? this.escape(start) : ch.codePointAt(0)!;
  }
}

function isValidJsClass(text: string): boolean {
  try {
    new RegExp(text, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A Go pattern read by `parseGoRegexp`. */
export interface GoRegexp {
  /**
   * The JavaScript translation, anchored as `^(?:re)$`. It backtracks: run it on label values only
   * where regexp-backtracking.ts proves it bounded (config/matcher-regexp.ts decides).
   */
  regexp: RegExp;
  /** The pattern's structure. */
  shape: RegexpShape;
  /**
   * Whether `regexp.test(value)` answers exactly what Go's regexp does. False when `(?i)` covers
   * only part of the pattern's case-sensitive atoms (`foo(?i)bar`, `(?i:payments)-prod`), and for
   * `(?i)` with `\b`, `\B` or a negated class (`\P{Ll}`, `[[:^alpha:]]`), whose case-insensitive
   * meaning JavaScript's `i` flag changes (Translator.foldSensitive). Such a `regexp` still answers
   * rightly whether "" matches (case never decides that); `inexactReason` says why.
   * Under `(?U)` the answer is exact, though capture groups may hold other text than in Go.
   */
  regexpExact: boolean;
  /** Why `regexpExact` is false, in words for an error message. */
  inexactReason?: string;
  /** The pattern for a RE2 port (re2js): Go's text, each named group made `(?:…)`. */
  re2Source: string;
}

/**
 * Read `re` (Go RE2 syntax): its translation, structure and RE2 text. Throws an Error starting with
 * `error parsing regexp:` (Go's wording) when Alertmanager would reject the pattern too.
 */
export function parseGoRegexp(re: string): GoRegexp {
  try {
    const t = new Translator(re);
    const body = t.translate();
    const regexp = new RegExp(`^(?:${body})$`, t.ignoreCase ? 'ui' : 'u');
    const inexactReason = t.inexactReason;
    return { regexp, shape: t.shape, regexpExact: inexactReason === undefined, ...(inexactReason && { inexactReason }), re2Source: t.re2Source };
  } catch (err) {
    const reason = err instanceof GoRegexpError ? err.message : (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
    throw new Error(`error parsing regexp: ${reason}`);
  }
}

/**
 * A PromQL label matcher's regexp (`=~`, `!~`) as Prometheus reads it: Go's regexp compiles
 * `^(?:value)$` (an error there is reported first, quoting that text, as promtool does), and the
 * value must parse on its own too (`a)|(b` does not). Answers Go's error, prefixed
 * `error parsing regexp:`, or whether the matcher's regexp matches the empty string.
 *
 * Every valid Go pattern is accepted, also those with no exact RegExp (`GoRegexp.regexpExact`:
 * `foo(?i)bar`): case changes what matches, never whether "" does.
 * Should JavaScript still refuse a translation (an incompatibility not known here), the pattern is
 * accepted and `matchesEmpty` is undefined: a checker that refuses a valid rule is worse than none.
 */
export function checkPromqlRegexp(value: string): { error: string } | { matchesEmpty: boolean | undefined } {
  let body: string;
  try {
    new Translator(`^(?:${value})$`).translate();
    body = new Translator(value).translate();
  } catch (err) {
    if (err instanceof GoRegexpError) return { error: `error parsing regexp: ${err.message}` };
    throw err;
  }
  try {
    return { matchesEmpty: new RegExp(`^(?:${body})$`, 'u').test('') };
  } catch {
    return { matchesEmpty: undefined };
  }
}
