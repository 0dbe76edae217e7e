import { describe, expect, it } from 'vitest';
import type { Labels } from '../model/alert.js';
import { labelsJson } from './rows.js';

describe('labelsJson', () => {
  it('writes label maps with sorted keys, so equal sets are equal strings', () => {
    expect(labelsJson({ pod: 'api-1', alertname: 'Down' })).toBe('{"alertname":"Down","pod":"api-1"}');
    expect(labelsJson({ alertname: 'Down', pod: 'api-1' })).toBe(labelsJson({ pod: 'api-1', alertname: 'Down' }));
  });

  it('keeps a label named __proto__ (as a parsed webhook body holds it)', () => {
    const labels = JSON.parse('{"pod":"api-1","__proto__":"x","alertname":"Down"}') as Labels;
    expect(labelsJson(labels)).toBe('{"__proto__":"x","alertname":"Down","pod":"api-1"}');
  });
});
