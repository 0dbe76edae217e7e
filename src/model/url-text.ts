/**
 * @module model/url-text
 * Small URL text helpers shared by ingest and delivery.
 */

/**
 * `url` without its trailing slashes. A loop, not `replace(/\/+$/, '')`: that regex retries from
 * every slash of a run that is not at the end, so a webhook whose externalURL held 100,000
 * slashes and one more character blocked the event loop for ~4.5 s (quadratic in the run).
 */
export function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
  return end === url.length ? url : url.slice(0, end);
}
