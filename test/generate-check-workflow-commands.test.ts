/**
 * Acceptance: `generate --check` prints a unified diff that carries a team's text (a multi-line
 * description is a YAML block, one raw line per line). The GitHub Actions runner reads a line of a
 * step's output as a workflow command when it starts with `::` after its leading whitespace is
 * trimmed (actions/runner ActionCommand.TryParseV2: `message.TrimStart()`), so a diff context line
 * (" " + indentation + "::error …") would be one; and it reads the older form `##[command]` anywhere
 * in a line (ActionCommand.TryParse: `message.IndexOf("##[")`). Neither may reach a CI log as a
 * command: the diff shows them escaped, and still shows the change.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { copyOfShippedConfig, removeTempDirs } from './generate-helpers.js';

afterAll(removeTempDirs);

async function cli(args: string[], cwd: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), env: {}, cwd });
  return { code, stdout: stdout.join(''), stderr: stderr.join('\n') };
}

it('no line of the diff is a workflow command, whatever the description holds; the change and the escaped lines are shown', async () => {
  const config = await copyOfShippedConfig();
  const rules = path.join(config, 'rules', 'payments.yaml');
  const edit = async (from: string, to: string) => {
    const text = await readFile(rules, 'utf8');
    expect(text).toContain(from);
    await writeFile(rules, text.replace(from, to));
  };
  await edit(
    'description: "Every checkout target is down or missing; customers cannot pay."',
    'description: "::error file=README.md,line=1::forged by the description\\n  ::warning::indented\\nsee ##[error]forged too\\nEvery checkout target is down."',
  );
  expect((await cli(['generate', '--out', 'out'], config)).code).toBe(0);
  // Changes either side of the description's first lines: they are the diff's context lines.
  await edit('runbook: https://runbooks.example/checkout-down', 'runbook: https://runbooks.example/checkout-down-v2');
  await edit('Every checkout target is down.', 'Every checkout target is down!');
  const check = await cli(['generate', '--out', 'out', '--check'], config);
  expect(check.code).toBe(1);
  const lines = check.stdout.split('\n');
  expect(lines.filter((l) => l.trimStart().startsWith('::') || l.includes('##['))).toEqual([]);
  expect(check.stdout).toContain('\n+            runbook_url: https://runbooks.example/checkout-down-v2\n');
  expect(lines).toContainEqual(expect.stringMatching(/^ +\\u003a:error file=README\.md,line=1::forged by the description$/));
  expect(lines).toContainEqual(expect.stringMatching(/^ +\\u003a:warning::indented$/));
  expect(lines).toContainEqual(expect.stringMatching(/^ +see #\\u0023\[error\]forged too$/));
});
