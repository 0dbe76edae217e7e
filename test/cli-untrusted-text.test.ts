/**
 * What `validate` and `generate` print of a team's files, which come from pull requests and are
 * printed in CI logs: one line per problem, with no terminal control sequence and no line break
 * of the file's own (a line break would let a file's key print a line of its own: a forged
 * `file:line:col`, or a GitHub Actions workflow command such as `::add-mask::` or `::error`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { makeConfigDir, removeTempDirs, REPO_ROOT, routesFile } from './generate-helpers.js';

afterAll(removeTempDirs);

async function alertgate(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const printed: string[] = [];
  const code = await main(args, { stdout: (t) => printed.push(t), stderr: (t) => printed.push(t), env, cwd: REPO_ROOT });
  return { code, out: printed.map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('') };
}

const ESC = '\u001b';
/** C0 and C1 control characters other than the line feed that ends each printed line. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('problems echoing a team file print as one line each, without control characters', () => {
  // A YAML double-quoted key may hold any character: an ESC sequence that clears the screen, a
  // line break followed by a workflow command, a carriage return that overwrites the line.
  const routes = [
    'team: evil',
    'owns:',
    '  namespaces: [evil-prod]',
    'slack:',
    '  channel: "#evil"',
    '"wibble\\e[2J\\e[1;1H": 1',
    '"x\\n::error file=routes/payments.yaml::forged\\r": 2',
    'routes:',
    '  - matchers: ["sev\\e[31m=\\"x\\""]',
    '    receivers: [slack]',
    '',
  ].join('\n');

  for (const command of ['validate', 'generate'] as const) {
    it(`alertgate ${command}`, async () => {
      const dir = await makeConfigDir({ 'routes/evil.yaml': routes, 'routes/platform.yaml': routesFile('platform') });
      const args = command === 'validate' ? ['validate'] : ['generate', '--out', `${dir}/out`];
      const { code, out } = await alertgate(args, { ALERTGATE_CONFIG_DIR: dir });
      expect(code).toBe(1);
      expect(out).not.toContain(ESC);
      expect(out).not.toMatch(CONTROL);
      const lines = out.split('\n').filter((l) => l !== '');
      // Every line is a problem of the file, or the summary: none starts with the forged command.
      expect(lines.filter((l) => !l.startsWith('routes/evil.yaml:') && !/^(invalid|generate):/.test(l))).toEqual([]);
      // The offending characters are shown escaped, so the author can find them.
      expect(out).toContain('unknown field "wibble\\u001b[2J\\u001b[1;1H"');
      expect(out).toContain('"x\\n::error file=routes/payments.yaml::forged\\r"');
      expect(out).toContain('bad matcher format: sev\\u001b[31m="x"');
    });
  }
});
