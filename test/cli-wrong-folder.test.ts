/**
 * A first run from a folder that is not the config dir (no routes/ there): every command shows the
 * same error at `routes/:1:1`, saying there is no routes/ folder and naming the folder it looked in.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { makeConfigDir, removeTempDirs } from './generate-helpers.js';

afterAll(removeTempDirs);

describe('alertgate run where there is no routes/ folder', () => {
  const commands = [['validate'], ['route-test', '--labels', 'namespace=payments-prod'], ['uptime', '--team', 'payments'], ['generate', '--out', 'out']];

  it.each(commands)('%s names the folder, at routes/:1:1, exit 1', async (...argv) => {
    const cwd = await makeConfigDir({});
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), env: { THANOS_URL: 'http://127.0.0.1:9' }, cwd };
    expect(await main(argv, io)).toBe(1);
    expect(out.join('\n')).toContain(
      `routes/:1:1 fallback team "platform" (FALLBACK_TEAM) has no routes file routes/platform.yaml: alerts no team owns would have nowhere to go; there is no routes/ folder in ${path.resolve(cwd)}: `,
    );
  });
});
