import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSecret, readSettings } from './env.js';

describe('readSecret', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'alertgate-secret-')), 'token');
  writeFileSync(file, 'from-file\n');

  it('drops surrounding whitespace from the variable as from the file', () => {
    expect(readSecret({ TOKEN: ' s3cret\n' }, 'TOKEN')).toBe('s3cret');
    expect(readSecret({ TOKEN_FILE: file }, 'TOKEN')).toBe('from-file');
  });

  it('treats a variable of only whitespace as unset, falling back to the file', () => {
    expect(readSecret({ TOKEN: ' \n', TOKEN_FILE: file }, 'TOKEN')).toBe('from-file');
    expect(readSecret({ TOKEN: '\n' }, 'TOKEN')).toBeUndefined();
  });

  it('lets the variable win over the file', () => {
    expect(readSecret({ TOKEN: 'direct', TOKEN_FILE: file }, 'TOKEN')).toBe('direct');
  });
});

describe('PORT', () => {
  it('takes 0 to 65535 in plain decimal', () => {
    expect(readSettings({ PORT: '0' }, '/srv').port).toBe(0);
    expect(readSettings({ PORT: '65535' }, '/srv').port).toBe(65_535);
    expect(readSettings({}, '/srv').port).toBe(8080);
  });

  it('refuses anything else, naming PORT', () => {
    for (const bad of ['0x50', ' 1e3', '1e3', '70000', '-1', '80.0', 'http', ' 80']) {
      expect(() => readSettings({ PORT: bad }, '/srv'), bad).toThrow(`PORT must be a port number from 0 to 65535, got "${bad}"`);
    }
  });
});
