/**
 * @module http/service-anchors
 * The fragment ids of a team page's service sections (`/uptime/payments#service-checkout`).
 * A section's id was the bare service name, so a service named `main` gave the page a second
 * `id="main"`, and the "Skip to the report" link (`#main`) and the overview's link to that
 * service both went to whichever came first. Ids are namespaced (`service-…`, headings
 * `heading-…`), which no id of the page layout uses, and made unique on the page: service names
 * are unique per team today (validate refuses a duplicate), but the slug keeps only
 * `[a-z0-9-]`, so two names differing elsewhere would share one.
 */

/** `service-<slug>` per service name, in the order given; a slug taken already gets `-2`, `-3`, …. */
export function serviceAnchors(services: readonly string[]): Map<string, string> {
  const anchors = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of services) {
    if (anchors.has(name)) continue;
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed';
    let id = `service-${slug}`;
    for (let n = 2; taken.has(id); n++) id = `service-${slug}-${n}`;
    taken.add(id);
    anchors.set(name, id);
  }
  return anchors;
}

/** The id of the heading of the section whose id is `anchor` (its `aria-labelledby`). */
export function headingId(anchor: string): string {
  return `heading-${anchor.slice('service-'.length)}`;
}
