/**
 * @module config/last-applied-limit
 * Kubernetes caps an object's annotations at 256 KiB together, and a client-side `kubectl apply`
 * (Argo CD's default sync too) writes the whole object, as JSON, into the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation: an object well under 1 MiB is
 * then refused ("metadata.annotations: Too long"). A warning for the PrometheusRule
 * (check-rule-size.ts) and the dashboards ConfigMap (load-team-specs.ts) alike, in one wording.
 */
export const LAST_APPLIED_LIMIT_BYTES = 262_144;

/** The warning for `what` (`the PrometheusRule of team "x"`), `asJson` bytes; `smaller`: what to shrink (`its rules`). */
export function lastAppliedMessage(what: string, asJson: number, smaller: string): string {
  return (
    `${what} is about ${asJson} bytes as JSON: a client-side kubectl apply (and Argo CD's default sync) ` +
    `keeps a copy of it in its last-applied-configuration annotation, and Kubernetes refuses annotations over ${LAST_APPLIED_LIMIT_BYTES} bytes; ` +
    `apply it server-side (kubectl apply --server-side, Argo CD ServerSideApply=true) or make ${smaller} smaller`
  );
}
