/**
 * @module config/go-template-parse
 * The grammar of Go's text/template/parse/parse.go over the tokens of go-template-lex.ts, with the
 * checks Go makes while parsing: function names must exist, variables must be declared before
 * use (and go out of scope at their `{{end}}`), `{{break}}` and `{{continue}}` only inside a
 * `{{range}}`, no template defined twice with a body, literals valid (go-template-literals.ts).
 *
 * Why no syntax tree is kept: `validate` only needs whether the text parses and where it first
 * does not, so the parser builds only the small nodes its checks look at (is a body empty, is a
 * pipeline stage executable) and throws TemplateSyntaxError at the first error, as Go stops at
 * its first.
 */
import { describeToken, goQuote, T, type Token } from './go-template-lex.js';
import { charConstantError, numberError, stringLiteralError, unquote } from './go-template-literals.js';

/**
 * The first error, where Go reports it. An exception rather than a returned value because it may
 * come from deep in the recursive descent; findGoTemplateError turns it into a GoTemplateError.
 */
export class TemplateSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

type NodeKind =
  | 'text'
  | 'blank' // text of spaces only, or nothing (a comment): an "empty" template body
  | 'action'
  | 'control'
  | 'end'
  | 'else'
  | 'bool'
  | 'dot'
  | 'nil'
  | 'number'
  | 'string'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'pipe'
  | 'chain';

interface Node {
  kind: NodeKind;
  pos: number;
  text?: string;
}

const OPERAND_START = new Set([
  T.Bool, T.CharConstant, T.Complex, T.Dot, T.Field, T.Identifier, T.Number, T.Nil, T.RawString, T.String, T.Variable, T.LeftParen,
]);

/** One parse of one text: `parse()` returns when Go would accept it, or throws TemplateSyntaxError. */
export class Parser {
  private i = 0;
  private rangeDepth = 0;
  /** Names of templates defined so far, and whether their body is non-empty (Go's IsEmptyTree). */
  private readonly defined = new Map<string, boolean>();

  constructor(
    private readonly toks: Token[],
    private readonly funcs: ReadonlySet<string>,
    private vars: string[],
  ) {}

  private fail(pos: number, message: string): never {
    throw new TemplateSyntaxError(pos, message);
  }

  private next(): Token {
    const t = this.toks[this.i]!;
    if (t.typ !== T.EOF && t.typ !== T.Error) this.i++;
    return t;
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.typ === T.Space) t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    while (this.toks[this.i]!.typ === T.Space) this.i++;
    return this.toks[this.i]!;
  }

  /** An error or EOF token is never consumed, so backing up after one must not move. */
  private backupAfter(t: Token): void {
    if (t.typ !== T.EOF && t.typ !== T.Error) this.backup();
  }

  private unexpected(t: Token, context: string): never {
    if (t.typ === T.Error) this.fail(t.pos, t.val);
    this.fail(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  private expect(typ: T, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  parse(): void {
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const mark = this.i;
        const delim = this.next();
        if (this.nextNonSpace().typ === T.Define) {
          this.parseDefinition(delim.pos);
          continue;
        }
        this.i = mark;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.fail(n.pos, `unexpected {{${n.kind}}}`);
    }
  }

  /** A template body parsed as Go parses a define or block: its own variables, outside any range. */
  private subTemplate<R>(body: () => R): R {
    const vars = this.vars;
    const depth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    try {
      return body();
    } finally {
      this.vars = vars;
      this.rangeDepth = depth;
    }
  }

  private add(name: string, nonEmpty: boolean, pos: number): void {
    const before = this.defined.get(name);
    if (before === undefined || !before) this.defined.set(name, nonEmpty);
    else if (nonEmpty) this.fail(pos, `multiple definition of template ${goQuote(name)}`);
  }

  /** `{{define "name"}} … {{end}}`; the keyword is past. */
  private parseDefinition(delimPos: number): void {
    const context = 'define clause';
    const name = this.nextNonSpace();
    if (name.typ !== T.String && name.typ !== T.RawString) this.unexpected(name, context);
    this.checkString(name);
    this.expect(T.RightDelim, context);
    this.subTemplate(() => {
      const { nonEmpty, next } = this.itemList('define', delimPos);
      if (next.kind !== 'end') this.fail(next.pos, `unexpected {{${next.kind}}} in ${context}`);
      this.add(unquote(name.val), nonEmpty, delimPos);
    });
  }

  /** textOrAction* up to an {{end}} or {{else}}, which is returned. */
  private itemList(opened: string, delimPos: number): { nonEmpty: boolean; next: Node } {
    let nonEmpty = false;
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return { nonEmpty, next: n };
      if (n.kind !== 'blank') nonEmpty = true;
    }
    return this.fail(delimPos, `unexpected EOF: missing {{end}} for {{${opened}}}`);
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    if (t.typ === T.Text) return { kind: t.val.trim() === '' ? 'blank' : 'text', pos: t.pos };
    if (t.typ === T.LeftDelim) return this.action(t.pos);
    return this.unexpected(t, 'input');
  }

  /** An action: a control keyword or a pipeline. The left delimiter is past. */
  private action(delimPos: number): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Block:
        return this.blockControl(delimPos);
      case T.Break:
      case T.Continue: {
        const word = t.val;
        const r = this.nextNonSpace();
        if (r.typ !== T.RightDelim) this.unexpected(r, `{{${word}}}`);
        if (this.rangeDepth === 0) this.fail(delimPos, `{{${word}}} outside {{range}}`);
        return { kind: 'action', pos: delimPos };
      }
      case T.Else: {
        // `{{else if …` and `{{else with …` leave the keyword for parseControl.
        const p = this.peekNonSpace();
        if (p.typ !== T.If && p.typ !== T.With) this.expect(T.RightDelim, 'else');
        return { kind: 'else', pos: delimPos };
      }
      case T.End:
        this.expect(T.RightDelim, 'end');
        return { kind: 'end', pos: delimPos };
      case T.If:
      case T.Range:
      case T.With:
        this.parseControl(t.val, delimPos);
        return { kind: 'control', pos: delimPos };
      case T.Template:
        return this.templateControl(delimPos);
      default:
        break;
    }
    this.backupAfter(t);
    // Variables declared here persist until the enclosing {{end}}.
    this.pipeline('command', T.RightDelim);
    return { kind: 'action', pos: delimPos };
  }

  /** if / range / with: pipeline, list, optional else (or else if / else with), end. */
  private parseControl(context: string, delimPos: number): void {
    const mark = this.vars.length;
    try {
      this.pipeline(context, T.RightDelim);
      if (context === 'range') this.rangeDepth++;
      const { next } = this.itemList(context, delimPos);
      if (context === 'range') this.rangeDepth--;
      if (next.kind === 'else') {
        const p = this.peek();
        if ((context === 'if' && p.typ === T.If) || (context === 'with' && p.typ === T.With)) {
          // {{if a}}…{{else if b}}…{{end}} is {{if a}}…{{else}}{{if b}}…{{end}}{{end}}.
          this.next();
          this.parseControl(context, next.pos);
        } else {
          const r = this.itemList(context, delimPos);
          if (r.next.kind !== 'end') this.fail(r.next.pos, `expected end; found {{${r.next.kind}}}`);
        }
      }
    } finally {
      this.vars.length = mark;
    }
  }

  /** `{{block "name" pipeline}} … {{end}}`; the keyword is past. */
  private blockControl(delimPos: number): Node {
    const context = 'block clause';
    const name = this.nextNonSpace();
    this.templateName(name, context);
    this.pipeline(context, T.RightDelim);
    this.subTemplate(() => {
      const { nonEmpty, next } = this.itemList('block', delimPos);
      if (next.kind !== 'end') this.fail(next.pos, `unexpected {{${next.kind}}} in ${context}`);
      this.add(unquote(name.val), nonEmpty, delimPos);
    });
    return { kind: 'control', pos: delimPos };
  }

  /** `{{template "name"}}` or `{{template "name" pipeline}}`; the keyword is past. */
  private templateControl(delimPos: number): Node {
    const context = 'template clause';
    this.templateName(this.nextNonSpace(), context);
    const t = this.nextNonSpace();
    if (t.typ !== T.RightDelim) {
      this.backupAfter(t);
      this.pipeline(context, T.RightDelim);
    }
    return { kind: 'action', pos: delimPos };
  }

  private templateName(t: Token, context: string): void {
    if (t.typ !== T.String && t.typ !== T.RawString) this.unexpected(t, context);
    this.checkString(t);
  }

  private checkString(t: Token): void {
    if (t.typ === T.String && stringLiteralError(t.val)) this.fail(t.pos, `invalid syntax: bad escape in ${t.val}`);
  }

  /** declarations? command ('|' command)*, up to `end` (a right delimiter or paren). */
  private pipeline(context: string, end: T): void {
    let decls = 0;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== T.Variable) break;
      const at = this.i;
      this.next();
      const n = this.peekNonSpace();
      if (n.typ === T.Assign || n.typ === T.Declare) {
        this.nextNonSpace();
        this.vars.push(v.val);
        decls++;
        break;
      }
      if (n.typ === T.Char && n.val === ',') {
        this.nextNonSpace();
        this.vars.push(v.val);
        decls++;
        if (context === 'range' && decls < 2) {
          const p = this.peekNonSpace().typ;
          if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue;
          this.fail(n.pos, 'range can only initialize variables');
        }
        this.fail(n.pos, `too many declarations in ${context}`);
      }
      // Not a declaration: the variable is the pipeline's first operand.
      this.i = at;
      break;
    }
    const cmds: Node[][] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        this.checkPipeline(cmds, context, t.pos);
        return;
      }
      if (!OPERAND_START.has(t.typ)) this.unexpected(t, context);
      this.backup();
      cmds.push(this.command());
    }
  }

  private checkPipeline(cmds: Node[][], context: string, endPos: number): void {
    if (cmds.length === 0) this.fail(endPos, `missing value for ${context}`);
    // Only the first command of a pipeline may start with a value that is not executable.
    cmds.slice(1).forEach((c, i) => {
      const k = c[0]!.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.fail(c[0]!.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  /** operand (space operand)*, up to a pipe (consumed) or a right delimiter or paren (not). */
  private command(): Node[] {
    const args: Node[] = [];
    const start = this.peekNonSpace().pos;
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) args.push(op);
      const t = this.next();
      if (t.typ === T.Space) continue;
      if (t.typ === T.RightDelim || t.typ === T.RightParen) this.backup();
      else if (t.typ !== T.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.fail(start, 'empty command');
    return args;
  }

  /** term .Field* */
  private operand(): Node | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().typ !== T.Field) return node;
    const k = node.kind;
    if (k === 'bool' || k === 'string' || k === 'number' || k === 'nil' || k === 'dot') {
      this.fail(this.peek().pos, `unexpected . after term ${goQuote(node.text ?? '')}`);
    }
    while (this.peek().typ === T.Field) this.next();
    return { kind: k === 'field' || k === 'variable' ? k : 'chain', pos: node.pos };
  }

  private term(): Node | undefined {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Identifier:
        if (!this.funcs.has(t.val)) this.fail(t.pos, `function ${goQuote(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos };
      case T.Dot:
        return { kind: 'dot', pos: t.pos, text: '.' };
      case T.Nil:
        return { kind: 'nil', pos: t.pos, text: 'nil' };
      case T.Variable:
        if (!this.vars.includes(t.val)) this.fail(t.pos, `undefined variable ${goQuote(t.val)}`);
        return { kind: 'variable', pos: t.pos };
      case T.Field:
        return { kind: 'field', pos: t.pos };
      case T.Bool:
        return { kind: 'bool', pos: t.pos, text: t.val };
      case T.CharConstant: {
        const err = charConstantError(t.val);
        if (err) this.fail(t.pos, err);
        return { kind: 'number', pos: t.pos, text: t.val };
      }
      case T.Complex:
        // fmt.Sscan decides; the lexer's shape (1+2i) is accepted.
        return { kind: 'number', pos: t.pos, text: t.val };
      case T.Number: {
        const err = numberError(t.val);
        if (err) this.fail(t.pos, err);
        return { kind: 'number', pos: t.pos, text: t.val };
      }
      case T.LeftParen:
        this.pipeline('parenthesized pipeline', T.RightParen);
        return { kind: 'pipe', pos: t.pos };
      case T.String:
      case T.RawString:
        this.checkString(t);
        return { kind: 'string', pos: t.pos, text: t.val };
      default:
        this.backupAfter(t);
        return undefined;
    }
  }
}
