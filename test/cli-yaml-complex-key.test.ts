/**
 * A YAML key that is a list or a map (`? [a, b]`, a slip of a `?` or a pasted flow collection):
 * yaml turned it into text while reading the file and said so with a Node process warning on
 * stderr ("Keys with collection values will be stringified … Set mapAsMap: true"), words for the
 * programmer calling yaml, printed around validate's own report. The key is reported as an
 * unknown field, at its place (where the key starts, after the `? `), and stderr stays empty.
 */
import { afterAll, expect, it } from 'vitest';
import { runCli } from './support/cli-process.js';
import { makeConfigDir, removeTempDirs, routesFile } from './generate-helpers.js';

afterAll(removeTempDirs);

it('alertgate validate reports a key that is a list as an unknown field at the key, with nothing from yaml or Node on stderr', async () => {
  const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'rules/orders.yaml': 'team: orders\nnamespace: orders-prod\n? [a, b]\n: c\n' });
  const r = await runCli(['validate', '--config', dir], { FALLBACK_TEAM: 'orders' });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^rules\/orders\.yaml:3:3 \[ a, b \]: unknown field "\[ a, b \]"/m);
  expect(r.stderr).toBe('');
});
