/**
 * @module config/looks-like-key
 * Whether config text is shaped like a secret: a PagerDuty routing key (an Events API v2
 * integration key or an Event Orchestration routing key: 32 letters and digits), i.e. the key
 * itself pasted where the name of the variable or file holding it belongs (`routingKeyEnv:
 * e93facc0…`), a Slack token (`xoxb-…`) or a Slack incoming-webhook URL
 * (`https://hooks.slack.com/services/T…/B…/…`: whoever holds it can post to its channel) pasted
 * into a team file.
 *
 * Why: such text must never be echoed back, as a value or as a field's name. Messages about the
 * field (validate's output, the gateway's config warnings and errors, a delivery's `lastError`)
 * would otherwise print the secret in CI logs and log stores; and it names no variable anyone
 * would set, so it is an error. Variable names are words joined by `_`: none of the usual ones
 * is 32 characters without one.
 */
const ROUTING_KEY_SHAPE = /^(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{32}$/;
/** Slack's token prefixes (xoxb- bot, xoxp- user, xoxa-/xoxr-/xoxs-/xoxe- and xoxe.xoxp- rotating, xapp- app-level), then its parts. */
const SLACK_TOKEN_SHAPE = /^(?:xox[a-z](?:\.xox[a-z])?|xapp)-[0-9A-Za-z][0-9A-Za-z-]{7,}$/;

/** A Slack incoming-webhook URL (services/), or a Workflow Builder one (workflows/, triggers/), scheme optional. */
const SLACK_WEBHOOK_SHAPE = /^(?:https?:\/\/)?hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]\S*$/i;
/** The same URL within other text (a field's name such as `slack_url=hooks.slack.com/services/…`). */
const SLACK_WEBHOOK_WITHIN = /hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]/i;

export type SecretShape = 'a PagerDuty routing key' | 'a Slack token' | 'a Slack webhook URL';

export function looksLikeRoutingKey(value: string): boolean {
  return ROUTING_KEY_SHAPE.test(value.trim());
}

/** What secret `text` looks like, as a message names it ("a Slack token"), or undefined. */
export function secretShapeOf(text: string): SecretShape | undefined {
  if (looksLikeRoutingKey(text)) return 'a PagerDuty routing key';
  if (SLACK_TOKEN_SHAPE.test(text.trim())) return 'a Slack token';
  if (SLACK_WEBHOOK_SHAPE.test(text.trim())) return 'a Slack webhook URL';
  return undefined;
}

/**
 * What secret a field's name holds, alone or among other text (a pasted `SLACK_TOKEN=xoxb-…`
 * line, `[ e93f… ]` for a key written as a list), or undefined. Names only: a value is a secret
 * by its whole shape, so that a message still quotes the text around a word that happens to be
 * shaped like one.
 */
export function secretShapeIn(name: string): SecretShape | undefined {
  // A URL is split into words below (at : and /), none of which would have its shape.
  if (SLACK_WEBHOOK_WITHIN.test(name)) return 'a Slack webhook URL';
  for (const word of name.split(/[^A-Za-z0-9.-]+/)) {
    const shape = secretShapeOf(word);
    if (shape) return shape;
  }
  return undefined;
}

/** Where a secret of that shape goes instead of a config file, for the messages that find one. */
export function whereSecretGoes(shape: SecretShape): string {
  switch (shape) {
    case 'a Slack token':
      return 'the token goes in SLACK_TOKEN or SLACK_TOKEN_FILE (a Kubernetes Secret), never in a config file';
    case 'a Slack webhook URL':
      return 'alertgate posts with its bot token (SLACK_TOKEN or SLACK_TOKEN_FILE) to slack.channel, not to an incoming webhook; never put the webhook URL in a config file';
    case 'a PagerDuty routing key':
      return 'put the key in a Kubernetes Secret and name it with pagerduty.routingKeyEnv or routingKeyFile, never in a config file';
  }
}
