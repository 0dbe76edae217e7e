import { describe, expect, it } from 'vitest';
import { setHeapGrowth } from './heap-growth.js';

describe('setHeapGrowth', () => {
  it('sets the gateway heap growth unless node was started with its own', () => {
    expect(setHeapGrowth(['--heap-growing-percent=300'])).toBe(false);
    expect(setHeapGrowth(['--max-old-space-size=128'])).toBe(true);
  });
});
