/**
 * @module store/list-page
 * The paging both stores' listings share: how many items a page holds, and a page cut from the
 * rows fetched. The SQL that fetches them differs per dialect and stays in each store's lists.ts.
 */
import type { ListQuery, Page } from './store.js';

/** At least one item per page; the HTTP layer enforces the documented default and maximum. */
export function pageSize(q: ListQuery<string>): number {
  return Math.max(1, Math.floor(q.limit));
}

/** One row beyond the page was fetched: its presence alone says whether a next page exists. */
export function page<R, T>(rows: R[], limit: number, map: (r: R) => T, cursorOf: (r: R) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
