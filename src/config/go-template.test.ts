import { describe, expect, it } from 'vitest';
import { findGoTemplateError, NEWER_PROMETHEUS_FUNCTIONS } from './go-template.js';

describe('findGoTemplateError accepts', () => {
  it.each([
    // Prometheus documentation examples (alerting rules, template examples and reference).
    ['{{ $labels.instance }} of job {{ $labels.job }} has been down for more than 5 minutes.'],
    ['Instance {{$labels.instance}} down'],
    ['{{ $value | humanizePercentage }}'],
    ['{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}'],
    ['{{ range query "up" }}\n  {{ .Labels.instance }} {{ .Value }}\n{{ end }}'],
    ['{{ with printf "node_memory_MemTotal{job=\'node\',instance=\'%s\'}" $labels.instance | query }}{{ . | first | value | humanize1024 }}B{{ end }}'],
    ['{{ reReplaceAll "localhost:(.*)" "my.domain:$1" $labels.instance }}'],
    ['{{ match "a+" $labels.instance }} {{ $labels.instance | stripPort | toUpper }}'],
    ['{{ humanizeDuration $value }} {{ $value | humanizeTimestamp }} {{ externalURL }}{{ pathPrefix }}'],
    ['{{ $externalLabels.cluster }} {{ $externalURL }} {{ .Labels.job }} {{ .ExternalLabels }} {{ $.Value }}'],
    // Variables, range with two variables, declarations and assignments.
    ['{{ range $i, $v := .Labels }}{{ $i }}={{ $v }} {{ end }}'],
    ['{{ range $v := .Labels }}{{ $v }}{{ else }}none{{ end }}'],
    ['{{ $x := 1 }}{{ $x = 2 }}{{ $x }}'],
    ['{{ if $z := $labels.a }}{{ $z }}{{ else }}{{ $z }}{{ end }}'],
    ['{{ range . }}{{ if . }}{{ break }}{{ end }}{{ continue }}{{ end }}'],
    // Trim markers and comments.
    ['{{- $value -}} and {{- $labels.job }} {{ $labels.job -}}'],
    ['{{/* a comment */}}{{- /* trimmed */ -}}{{/* multi\nline */}}'],
    // Pipelines, printf with several arguments, nested parentheses, chains.
    ['{{ printf "%s is at %.2f (%d%%)" $labels.instance $value 3 }}'],
    ['{{ printf "%v" (len (index $labels "a")) }}'],
    ['{{ (index $labels "instance") | printf "%q" | html }}'],
    ['{{ (query "up" | first).Labels.job }}'],
    ['{{ and (eq $labels.a "x") (or (ne $labels.b "y") (not true)) }}'],
    ['{{ if gt $value 0.5 }}a{{ else if lt $value 0.1 }}b{{ else }}c{{ end }}'],
    ['{{ with $labels.a }}{{ . }}{{ else with $labels.b }}{{ . }}{{ end }}'], // Go 1.23+
    ['{{ define "x" }}{{ . }}{{ end }}{{ template "x" $labels }}{{ block "y" . }}{{ $ }}{{ end }}'],
    // Literals.
    ['{{ "a\\"b\\n\\x41\\u00e9\\U0001F600\\101" }} {{ `raw "text" \\n` }} {{ \'x\' }} {{ \'\\n\' }} {{ \'\\\'\' }}'],
    ['{{ 1 }} {{ -2 }} {{ +3 }} {{ 0x1F }} {{ 0b101 }} {{ 0o17 }} {{ 017 }} {{ 1_000 }} {{ 1.5e3 }} {{ .5 }} {{ 0x1p-2 }} {{ 1i }} {{ 1+2i }}'],
    ['{{ 18446744073709551615 }} {{ -9223372036854775808 }} {{ nil | printf "%v" }} {{ true }}'],
    // Plain text, single braces, a lone closing delimiter, actions spanning lines.
    ['{ not an action }'],
    ['}} is only text'],
    ['a\n{{ $labels.instance\n  | toUpper }}\nb'],
    [''],
    // Functions of Prometheus releases newer than 2.42.
    ['{{ toDuration 60 }} {{ now }} {{ urlQueryEscape $labels.job }}'],
  ])('%j', (text) => {
    expect(findGoTemplateError(text)).toBeUndefined();
  });

  it('knows every function newer Prometheus releases added', () => {
    for (const f of NEWER_PROMETHEUS_FUNCTIONS) expect(findGoTemplateError(`{{ ${f} }}`)).toBeUndefined();
  });
});

describe('findGoTemplateError rejects', () => {
  it.each([
    ['Instance {{ $labels.instance is down', 29, 'function "is" not defined'],
    ['{{ humanise $value }}', 3, 'function "humanise" not defined'],
    ['{{ tmpl "x" . }}', 3, 'function "tmpl" not defined'], // console templates only
    ['{{ $labels.instance', 0, 'unclosed action'],
    ['ok {{ end }}', 3, 'unexpected {{end}}'],
    ['{{ else }}', 0, 'unexpected {{else}}'],
    ['x {{ if .Value }}y', 2, 'unexpected EOF: missing {{end}} for {{if}}'],
    ['{{ range . }}{{ with . }}{{ end }}', 0, 'missing {{end}} for {{range}}'],
    ['{{ if . }}{{ else }}{{ else }}{{ end }}', 20, 'expected end; found {{else}}'],
    ['{{ range . }}{{ else if . }}{{ end }}', 21, 'unexpected <if> in input'],
    ['{{ $undefinedVar }}', 3, 'undefined variable "$undefinedVar"'],
    ['{{ if . }}{{ $y := 1 }}{{ end }}{{ $y }}', 35, 'undefined variable "$y"'],
    ['{{ define "d" }}{{ $labels }}{{ end }}', 19, 'undefined variable "$labels"'],
    ['{{ | }}', 3, 'unexpected "|" in command'],
    ['{{ }}', 3, 'missing value for command'],
    ['{{ if }}{{ end }}', 6, 'missing value for if'],
    ['{{ .A | 3 }}', 8, 'non executable command in pipeline stage 2'],
    ['{{ "x".A }}', 6, 'unexpected . after term "\\"x\\""'],
    ['{{ break }}', 0, '{{break}} outside {{range}}'],
    ['{{ range $a, $b, $c := . }}{{ end }}', 15, 'too many declarations in range'],
    ['{{ template x }}', 12, 'unexpected "x" in template clause'],
    ['{{ define "x" }}a{{ end }}{{ define "x" }}b{{ end }}', 26, 'multiple definition of template "x"'],
    ['{{ (1 }}', 3, 'unclosed left paren'],
    ['{{ 1) }}', 4, 'unexpected right paren'],
    ['{{ "abc }}', 3, 'unterminated quoted string'],
    ['{{ `abc }}', 3, 'unterminated raw quoted string'],
    ['{{ "\\q" }}', 3, 'invalid syntax'],
    ["{{ 'ab' }}", 3, "malformed character constant: 'ab'"],
    ['{{ 1e400 }}', 3, 'illegal number syntax: "1e400"'],
    ['{{ 99999999999999999999 }}', 3, 'integer overflow: "99999999999999999999"'],
    ['{{ 1x }}', 3, 'bad number syntax: "1x"'],
    ['{{ a-b }}', 4, "bad character U+002D '-'"],
    ['{{ € }}', 3, "unrecognized character in action: U+20AC '€'"],
    ['{{ $x := 1 }}{{ $x : 2 }}', 19, 'expected :='],
    ['{{ /* not a comment */ }}', 3, 'unexpected "/" in command'],
    ['{{/* unclosed', 0, 'unclosed comment'],
    ['{{/* c */ }}', 9, 'comment ends before closing delimiter'],
    ['{{ .A- }}', 5, "bad character U+002D '-'"],
  ])('%j at offset %i: %s', (text, offset, message) => {
    const err = findGoTemplateError(text);
    expect(err?.message).toContain(message);
    expect(err?.offset).toBe(offset);
  });

  it('reports only variables of the text, not those declared after their use', () => {
    expect(findGoTemplateError('{{ $x }}{{ $x := 1 }}')).toEqual({ offset: 3, message: 'undefined variable "$x"' });
  });

  it('takes other functions and variables when asked', () => {
    expect(findGoTemplateError('{{ $labels }}', { variables: [] })?.message).toBe('undefined variable "$labels"');
    expect(findGoTemplateError('{{ $a | f }}', { variables: ['$a'], functions: new Set(['f']) })).toBeUndefined();
  });
});
