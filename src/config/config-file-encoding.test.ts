/**
 * A config file saved in another encoding than UTF-8 (an editor's Latin-1 or Windows-1252, a
 * Windows tool's UTF-16): reading it as UTF-8 turned each foreign byte into U+FFFD, so `é` in a
 * summary went silently into the generated PrometheusRule as `�`, and a UTF-16 file failed with
 * a YAML message about map keys. Each is refused at the first byte that is not UTF-8.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from './load-routes.js';
import { loadTeamSpecs } from './load-team-specs.js';
import { formatSourceError } from './source-error.js';
import { makeConfigDir, removeTempDirs, routesFile, routeTeamsOf } from '../../test/generate-helpers.js';

afterAll(removeTempDirs);

const RULES = 'team: orders\nnamespace: orders-prod\nalerts:\n  - name: OrdersDown\n    expr: up == 0\n    severity: critical\n    summary: "Commande refusée"\n    runbook: https://runbooks.example/down\n';

async function errorsFor(folder: 'rules' | 'routes', bytes: Buffer): Promise<string[]> {
  const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'rules/orders.yaml': RULES });
  await writeFile(path.join(dir, folder, 'orders.yaml'), bytes);
  if (folder === 'routes') return (await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' })).errors.map(formatSourceError);
  return (await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) })).errors.map(formatSourceError);
}

describe('a config file that is not UTF-8', () => {
  it('is refused at the first byte that is not UTF-8 (Latin-1 "é" in a summary), not read as "�"', async () => {
    expect(await errorsFor('rules', Buffer.from(RULES, 'latin1'))).toEqual([
      'rules/orders.yaml:7:29 the file is not UTF-8: byte 0xE9 here starts no UTF-8 character (the file was likely saved as Latin-1 or Windows-1252); save it as UTF-8',
    ]);
  });

  it('is refused in routes/ as in rules/', async () => {
    const text = routesFile('orders').replace('"#orders"', '"#orders-équipe"');
    expect(await errorsFor('routes', Buffer.from(text, 'latin1'))).toEqual([
      'routes/orders.yaml:5:21 the file is not UTF-8: byte 0xE9 here starts no UTF-8 character (the file was likely saved as Latin-1 or Windows-1252); save it as UTF-8',
    ]);
  });

  it('names UTF-16, which Windows tools write with a byte order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(RULES, 'utf16le')]);
    expect(await errorsFor('rules', utf16)).toEqual(['rules/orders.yaml:1:1 the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8']);
  });

  it('refuses UTF-16 without a byte order mark at its first NUL byte (valid UTF-8, but no config text holds one)', async () => {
    const nul = 'a NUL byte (0x00): the file is likely UTF-16 without a byte order mark, or not text; save it as UTF-8';
    expect(await errorsFor('rules', Buffer.from(RULES, 'utf16le'))).toEqual([`rules/orders.yaml:1:2 ${nul}`]);
    expect(await errorsFor('routes', Buffer.from(RULES, 'utf16le').swap16())).toEqual([`routes/orders.yaml:1:1 ${nul}`]);
    expect(await errorsFor('rules', Buffer.from(RULES.replace('\n  - name', '\n\0  - name'), 'utf8'))).toEqual([`rules/orders.yaml:4:1 ${nul}`]);
  });

  it('names UTF-32 by its byte order mark, little-endian (whose mark starts as UTF-16\'s) and big-endian', async () => {
    const utf32le = (text: string) => Buffer.concat([...text].map((c) => { const b = Buffer.alloc(4); b.writeUInt32LE(c.codePointAt(0)!); return b; }));
    const utf32 = 'rules/orders.yaml:1:1 the file is UTF-32 (it starts with a UTF-32 byte order mark); save it as UTF-8';
    expect(await errorsFor('rules', utf32le(`\ufeff${RULES}`))).toEqual([utf32]);
    const be = utf32le(`\ufeff${RULES}`);
    for (let i = 0; i < be.length; i += 4) be.subarray(i, i + 4).reverse();
    expect(await errorsFor('rules', be)).toEqual([utf32]);
  });

  it('still reads UTF-8 with a byte order mark, and non-ASCII text, as before', async () => {
    expect(await errorsFor('rules', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(RULES, 'utf8')]))).toEqual([]);
  });
});
