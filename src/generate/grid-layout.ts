/**
 * @module generate/grid-layout
 * Flow layout on Grafana's 24-column grid: panels go left to right and wrap to a new line when
 * the next one would not fit; a line is as tall as its tallest panel; a row panel always takes
 * a full line. Panels never overlap and never cross column 24.
 */
import type { GridPos } from './grafana-types.js';

export const GRID_COLUMNS = 24;

export interface Size {
  w: number;
  h: number;
  /** Row panels start a line of their own. */
  fullLine?: boolean;
}

export function layout(sizes: Size[]): GridPos[] {
  const out: GridPos[] = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  for (const s of sizes) {
    const w = Math.min(Math.max(1, s.w), GRID_COLUMNS);
    if (s.fullLine || x + w > GRID_COLUMNS) {
      if (x > 0) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
    }
    out.push({ x, y, w: s.fullLine ? GRID_COLUMNS : w, h: s.h });
    lineHeight = Math.max(lineHeight, s.h);
    x += s.fullLine ? GRID_COLUMNS : w;
    if (x >= GRID_COLUMNS) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
  }
  return out;
}

/** True when two grid rectangles share any cell. */
export function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
