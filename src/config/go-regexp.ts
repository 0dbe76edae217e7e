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
 * Supported flags: `s` and `m` anywhere (`(?s)`, `(?m:…)`; they are applied by the rewrite), `i`
 * only at the very start of the pattern (JavaScript has no scoped case-insensitivity in Node 20).
 *
 * @example
 * compileGoRegexp('(?i)checkout|basket').test('Checkout') // true
 */

const MAX_REPEAT = 1000;
/** Go's `\s` (ASCII only, no `\v`). */
const GO_SPACE = '\\t\\n\\f\\r ';
/** Everything but GO_SPACE, for `\S` inside a class: JS's `\S` also leaves out `\v` and Unicode spaces. */
const GO_NOT_SPACE = '\\0-\\x08\\x0B\\x0E-\\x1F\\x21-\\u{10FFFF}';
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn Any'.split(' '),
);
/** Characters that must stay escaped in a `u`-mode RegExp to be literal. */
const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/'.split(''));

interface Flags {
  s: boolean;
  m: boolean;
}

class GoRegexpError extends Error {}

function literal(ch: string, inClass: boolean): string {
  if (SYNTAX_CHARS.has(ch) || (inClass && ch === '-')) return `\\${ch}`;
  return ch;
}

function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** Translator for one pattern; `pos` walks `src`. */
class Translator {
  private pos = 0;
  private out = '';
  private readonly groups: Flags[] = [];
  private flags: Flags = { s: false, m: false };
  ignoreCase = false;

  constructor(private readonly src: string) {}

  translate(): string {
    this.leadingFlags();
    while (this.pos < this.src.length) this.step();
    if (this.groups.length > 0) throw new GoRegexpError('missing closing ): ' + this.src);
    return this.out;
  }

  /** `(?i)` and friends at the very start may set case-insensitivity for the whole pattern. */
  private leadingFlags(): void {
    const m = /^\(\?([imsU-]+)\)/.exec(this.src);
    if (!m) return;
    this.applyFlags(m[1]!, true);
    this.pos = m[0].length;
  }

  private applyFlags(spec: string, atStart: boolean): void {
    let on = true;
    for (const f of spec) {
      if (f === '-') {
        on = false;
        continue;
      }
      if (f === 'U') throw new GoRegexpError('flag U (ungreedy) is not supported by alertgate');
      if (f === 'i') {
        if (!atStart || !on) throw new GoRegexpError('flag i is only supported at the start of the pattern, as (?i)');
        this.ignoreCase = true;
      } else if (f === 's' || f === 'm') {
        this.flags = { ...this.flags, [f]: on };
      }
    }
  }

  private step(): void {
    const ch = this.next();
    switch (ch) {
      case '\\':
        this.out += this.escape(false);
        return;
      case '.':
        this.out += this.flags.s ? '[^]' : '[^\\n]';
        return;
      case '^':
        this.out += this.flags.m ? '(?<![^\\n])' : '(?<![^])';
        return;
      case '$':
        this.out += this.flags.m ? '(?![^\\n])' : '(?![^])';
        return;
      case '(':
        this.openGroup();
        return;
      case ')':
        if (this.groups.length === 0) throw new GoRegexpError('unexpected ): ' + this.src);
        this.flags = this.groups.pop()!;
        this.out += ')';
        return;
      case '[':
        this.charClass();
        return;
      case '{':
        this.braces();
        return;
      case '}':
      case ']':
      case '/':
        this.out += `\\${ch}`;
        return;
      default:
        this.out += ch;
    }
  }

  private next(): string {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) throw new GoRegexpError('unexpected end of pattern');
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }

  private peek(n = 1): string {
    return this.src.slice(this.pos, this.pos + n);
  }

  private openGroup(): void {
    this.groups.push(this.flags);
    if (this.peek() !== '?') {
      this.out += '(';
      return;
    }
    const rest = this.src.slice(this.pos);
    const named = /^\?P?<([A-Za-z0-9_]+)>/.exec(rest);
    if (named) {
      this.pos += named[0].length;
      this.out += `(?<${named[1]}>`;
      return;
    }
    const flagged = /^\?([imsU-]*)(:|\))/.exec(rest);
    if (flagged) {
      this.pos += flagged[0].length;
      this.applyFlags(flagged[1]!, false);
      if (flagged[2] === ')') {
        // `(?s)` changes the flags of the enclosing group; it opens nothing.
        const changed = this.flags;
        this.groups.pop();
        this.flags = changed;
        return;
      }
      this.out += '(?:';
      return;
    }
    throw new GoRegexpError(`invalid or unsupported Perl syntax: \`(${rest.slice(0, 3)}\``);
  }

  /** After a backslash. Returns the JavaScript text for the escape. */
  private escape(inClass: boolean): string {
    if (this.pos >= this.src.length) throw new GoRegexpError('trailing backslash at end of expression');
    const c = this.next();
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 't':
      case 'n':
      case 'r':
      case 'f':
      case 'v':
        return `\\${c}`;
      case 'b':
      case 'B':
        if (inClass) throw new GoRegexpError(`invalid escape sequence: \`\\${c}\``);
        return `\\${c}`;
      case 's':
        return inClass ? GO_SPACE : `[${GO_SPACE}]`;
      case 'S':
        return inClass ? GO_NOT_SPACE : `[^${GO_SPACE}]`;
      case 'a':
        return '\\x07';
      case 'A':
        if (inClass) throw new GoRegexpError('invalid escape sequence: `\\A`');
        return '(?<![^])';
      case 'z':
        if (inClass) throw new GoRegexpError('invalid escape sequence: `\\z`');
        return '(?![^])';
      case 'x':
        return this.hexEscape();
      case 'p':
      case 'P':
        return this.unicodeClass(c);
      case 'Q':
        if (inClass) throw new GoRegexpError('invalid escape sequence: `\\Q`');
        return this.quoted();
      default:
        break;
    }
    if (c >= '0' && c <= '7') return this.octal(c);
    if (/^[A-Za-z0-9]$/.test(c) || c.codePointAt(0)! >= 0x80) {
      throw new GoRegexpError(`invalid escape sequence: \`\\${c}\``);
    }
    // Go: a backslash before any ASCII punctuation makes it literal.
    return literal(c, inClass);
  }

  private hexEscape(): string {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.pos));
    if (braced) {
      this.pos += braced[0].length;
      const cp = parseInt(braced[1]!, 16);
      if (cp > 0x10ffff) throw new GoRegexpError(`invalid escape sequence: \`\\x{${braced[1]}}\``);
      return codePointEscape(cp);
    }
    const two = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.pos));
    if (!two) throw new GoRegexpError('invalid escape sequence: `\\x`');
    this.pos += 2;
    return `\\x${two[0]}`;
  }

  private octal(first: string): string {
    const more = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0];
    // Go: a single non-zero digit would be a backreference, which RE2 does not support.
    if (first !== '0' && more.length === 0) throw new GoRegexpError(`invalid escape sequence: \`\\${first}\``);
    this.pos += more.length;
    return codePointEscape(parseInt(first + more, 8));
  }

  private unicodeClass(p: 'p' | 'P'): string {
    let name: string;
    const braced = /^\{(\^?)([A-Za-z_]+)\}/.exec(this.src.slice(this.pos));
    let negate = p === 'P';
    if (braced) {
      this.pos += braced[0].length;
      if (braced[1]) negate = !negate;
      name = braced[2]!;
    } else {
      const single = /^[A-Za-z]/.exec(this.src.slice(this.pos));
      if (!single) throw new GoRegexpError(`invalid character class range: \`\\${p}\``);
      this.pos += 1;
      name = single[0];
    }
    const prop = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${negate ? 'P' : 'p'}{${prop}}`;
  }

  /** `\Q…\E`: everything in between is literal. */
  private quoted(): string {
    const end = this.src.indexOf('\\E', this.pos);
    const text = end === -1 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
    this.pos = end === -1 ? this.src.length : end + 2;
    return Array.from(text, (ch) => literal(ch, false)).join('');
  }

  private charClass(): void {
    let body = '';
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    // Go: a `]` right after `[` or `[^` is a literal.
    if (this.peek() === ']') {
      this.pos++;
      body += '\\]';
    }
    for (;;) {
      if (this.pos >= this.src.length) throw new GoRegexpError(`missing closing ]: \`[${this.src.slice(0, 20)}\``);
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
      if (posix) {
        const set = POSIX_CLASSES[posix[2]!];
        if (!set) throw new GoRegexpError(`invalid character class range: \`${posix[0]}\``);
        if (posix[1]) throw new GoRegexpError(`negated POSIX class \`${posix[0]}\` is not supported by alertgate`);
        this.pos += posix[0].length;
        body += set;
        continue;
      }
      const ch = this.next();
      if (ch === ']') break;
      if (ch === '\\') body += this.escape(true);
      else if (ch === '[' || ch === '/') body += `\\${ch}`;
      else body += ch;
    }
    this.out += `[${negated ? '^' : ''}${body}]`;
  }

  /** `{n}`, `{n,}`, `{n,m}` repeat; anything else is a literal `{` in Go. */
  private braces(): void {
    const rep = /^(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
    if (!rep) {
      this.out += '\\{';
      return;
    }
    const min = Number(rep[1]);
    const max = rep[3] ? Number(rep[3]) : min;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (rep[3] && max < min)) {
      throw new GoRegexpError(`invalid repeat count: \`{${rep[0]}\``);
    }
    this.pos += rep[0].length;
    this.out += `{${rep[0]}`;
  }
}

/**
 * Compile `re` (Go RE2 syntax) anchored as `^(?:re)$`. Throws an Error starting with
 * `error parsing regexp:` (Go's wording) when Alertmanager would reject the pattern too.
 */
export function compileGoRegexp(re: string): RegExp {
  try {
    const t = new Translator(re);
    const body = t.translate();
    return new RegExp(`^(?:${body})$`, t.ignoreCase ? 'ui' : 'u');
  } catch (err) {
    const reason = err instanceof GoRegexpError ? err.message : (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
    throw new Error(`error parsing regexp: ${reason}`);
  }
}
