import { describe, expect, it } from 'vitest';
import { GRID_COLUMNS, layout, overlaps } from './grid-layout.js';

describe('layout', () => {
  it('flows panels left to right and wraps when the next one does not fit', () => {
    expect(layout([{ w: 12, h: 8 }, { w: 12, h: 8 }, { w: 6, h: 4 }, { w: 24, h: 8 }])).toEqual([
      { x: 0, y: 0, w: 12, h: 8 },
      { x: 12, y: 0, w: 12, h: 8 },
      { x: 0, y: 8, w: 6, h: 4 },
      { x: 0, y: 12, w: 24, h: 8 },
    ]);
  });

  it('puts row panels on a line of their own', () => {
    expect(layout([{ w: 6, h: 4 }, { w: 24, h: 1, fullLine: true }, { w: 6, h: 4 }])).toEqual([
      { x: 0, y: 0, w: 6, h: 4 },
      { x: 0, y: 4, w: 24, h: 1 },
      { x: 0, y: 5, w: 6, h: 4 },
    ]);
  });

  it('never overlaps or crosses column 24, whatever the sizes', () => {
    const sizes = Array.from({ length: 60 }, (_, i) => ({ w: [5, 7, 12, 24, 30, 1][i % 6]!, h: 1 + (i % 5), fullLine: i % 13 === 0 }));
    const grid = layout(sizes);
    for (const [i, a] of grid.entries()) {
      expect(a.x + a.w).toBeLessThanOrEqual(GRID_COLUMNS);
      for (const b of grid.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
    }
  });
});
