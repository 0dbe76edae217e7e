/**
 * @module config/closest-name
 * "Did you mean …?" for a name that is not one of a known list: the known name nearest to it.
 */

/**
 * The name in `known` closest to `word`, or undefined when none is close. Case, `_`, `-` and
 * spaces are ignored first (`percent_unit` → `percentunit`, `MS` → `ms`); then one edit is
 * allowed in a name of up to 4 characters, two in a longer one (`reqs` → `reqps`). The first
 * of equally close names wins, so `known` is best ordered most common first.
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const target = normalize(word);
  const allowed = target.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(target, normalize(name), allowed);
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Levenshtein distance of a and b; any value above `limit` is answered as limit + 1. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...current) > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}
