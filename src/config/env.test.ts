import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSecret } from './env.js';

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
