import { describe, expect, it } from 'vitest';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { closeTrailingComment, findPromqlSyntaxError, hasWindowPlaceholder, scalarPosition, substituteWindow, withLezerNumbers } from './promql.js';

describe('findPromqlSyntaxError', () => {
  it.each([
    ['sum(rate(http_requests_total{job="checkout"}[5m])) > 1'],
    ['histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) > 1'],
    ['sum(rate(x[5m])) by (job) / on() group_left sum(y)'],
    ['absent_over_time(up{job="a"}[5m]) == 1'],
    // Numbers Prometheus' lexer reads (Go's ParseInt/ParseFloat) that the Lezer grammar does not.
    ['node_load1 > 5.'],
    ['up > 5.e3 and up < 5.E-1'],
    ['round(up, 1.) + vector(0X1F) @ 100.'],
  ])('accepts %s', (expr) => {
    expect(findPromqlSyntaxError(expr)).toBeUndefined();
  });

  it.each([
    ['foo{a=b}', 6, 'unexpected "b"'],
    ['sum(rate(x[5m])) > ', 19, 'unexpected end of expression'],
    // An expression cut short by what is never closed points at the opener, in promtool's words.
    ['sum(rate(x[5m]) > ', 3, 'unclosed left parenthesis (this "(" has no matching ")")'],
    ['sum(up{job="orders}) == 0', 11, 'unterminated quoted string (this " is never closed)'],
    ['up{job="a"', 2, 'unclosed left brace (this "{" has no matching "}")'],
    ['rate(x[5m', 6, 'unclosed left bracket (this "[" has no matching "]")'],
    ['sum(x{a=")"}', 3, 'unclosed left parenthesis'],
    ['1 +* 2', 3, 'unexpected "*"'],
    ['rate(x[5x])', 8, 'unexpected "x"'],
    ['up)', 2, 'unexpected ")"'],
    ['   ', 0, 'empty'],
    // …and what it does not read either.
    ['up > 5.and up', 6, 'unexpected "."'],
    ['up > 5.e', 6, 'unexpected "."'],
    ['up > 1.2.', 8, 'unexpected "."'],
    ['x[5.m]', 3, 'unexpected "."'],
  ])('rejects %s at offset %i', (expr, offset, message) => {
    const err = findPromqlSyntaxError(expr);
    expect(err?.offset).toBe(offset);
    expect(err?.message).toContain(message);
  });
});

describe('withLezerNumbers', () => {
  it('respells only numbers, character for character, leaving strings, comments and names alone', () => {
    const expr = `up{a="5.", b='0X1'} > 5. or x5 > 0X1f # 7.\n+ 5.e3`;
    const out = withLezerNumbers(expr);
    expect(out).toBe(`up{a="5.", b='0X1'} > 5  or x5 > 0x1f # 7.\n+ 5e3 `);
    expect(out).toHaveLength(expr.length);
  });
});

describe('substituteWindow', () => {
  it('replaces every placeholder and maps offsets back', () => {
    const expr = 'sum(rate(e[{{window}}])) / sum(rate(t[{{ window }}])) +';
    const s = substituteWindow(expr, '5m');
    expect(s.text).toBe('sum(rate(e[5m])) / sum(rate(t[5m])) +');
    expect(s.toOriginal(0)).toBe(0);
    expect(s.toOriginal(12)).toBe(11); // inside the first replacement → placeholder start
    expect(s.toOriginal(s.text.length - 1)).toBe(expr.length - 1); // the trailing "+"
    expect(hasWindowPlaceholder(expr)).toBe(true);
    expect(hasWindowPlaceholder('sum(rate(e[5m]))')).toBe(false);
  });
});

/** Position of value offset `offset` of the scalar at key `expr` in `text`. */
function pos(text: string, offset: number): { line: number; col: number } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  let node = doc.contents as Node | null;
  if (isSeq(node)) node = node.items[0] as Node;
  if (!isMap(node)) throw new Error('map expected');
  return scalarPosition(text, lineCounter, node.get('expr', true), offset);
}

describe('scalarPosition', () => {
  it('plain scalar: column of the character', () => {
    expect(pos('expr: foo{a=b}\n', 6)).toEqual({ line: 1, col: 13 });
  });
  it('double-quoted scalar with escapes', () => {
    // value: foo{a="x"} bar  — the \" escapes shift the source columns
    expect(pos('expr: "foo{a=\\"x\\"} bar"\n', 11)).toEqual({ line: 1, col: 21 });
  });
  it("single-quoted scalar with '' doubling", () => {
    // value: a{b='c'} oops
    expect(pos("expr: 'a{b=''c''} oops'\n", 9)).toEqual({ line: 1, col: 19 });
  });
  it('literal block scalar: line and column inside the block', () => {
    const text = 'expr: |\n  sum(rate(x[5m]))\n    > oops\n';
    // value: "sum(rate(x[5m]))\n  > oops\n"; "oops" starts at offset 21
    expect(pos(text, 21)).toEqual({ line: 3, col: 7 });
  });
  it('folded block scalar', () => {
    const text = '- expr: >-\n    sum(rate(x[5m]))\n    > oops\n';
    // value: "sum(rate(x[5m])) > oops"
    expect(pos(text, 19)).toEqual({ line: 3, col: 7 });
  });
  it('multi-line plain scalar', () => {
    const text = 'expr: sum(rate(x[5m]))\n  > oops\n';
    expect(pos(text, 19)).toEqual({ line: 2, col: 5 });
  });
});

describe('closeTrailingComment', () => {
  it.each([
    ['sum(x)  # 5xx only', 'sum(x)  # 5xx only\n'],
    ['sum(x) # a\n+ sum(y) # b', 'sum(x) # a\n+ sum(y) # b\n'],
  ])('ends %j with a line break, so a generated ")" after it is not commented out', (expr, closed) => {
    expect(closeTrailingComment(expr)).toBe(closed);
    expect(findPromqlSyntaxError(`(${closeTrailingComment(expr)}) / 2`)).toBeUndefined();
  });

  it.each([['up{path="/#top"}'], ['sum(x) # a\n+ sum(y)'], ['sum(x) # a\n'], ['sum(x)']])('leaves %j unchanged', (expr) => {
    expect(closeTrailingComment(expr)).toBe(expr);
  });
});
