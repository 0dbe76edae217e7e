/**
 * @module config/looks-like-key
 * Whether a config value is shaped like a PagerDuty routing key (an Events API v2 integration key
 * or an Event Orchestration routing key: 32 letters and digits), i.e. the key itself pasted where
 * the name of the variable or file holding it belongs (`routingKeyEnv: e93facc0…`).
 *
 * Why: such a value must never be echoed back. Messages about the field (validate's output, the
 * gateway's config warnings and errors, a delivery's `lastError`) would otherwise print the key
 * in CI logs and log stores; and it names no variable anyone would set, so it is an error.
 * Variable names are words joined by `_`: none of the usual ones is 32 characters without one.
 */
const ROUTING_KEY_SHAPE = /^(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{32}$/;

export function looksLikeRoutingKey(value: string): boolean {
  return ROUTING_KEY_SHAPE.test(value.trim());
}
