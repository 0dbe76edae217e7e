/**
 * @module delivery/slack/api-url
 * SLACK_API_URL may not carry `user:password@`. node:http sends a URL's userinfo as basic auth
 * only when no Authorization header is set, and every Slack call sets one (its bot token,
 * `Bearer`), so the credentials were silently dropped and an authenticating proxy refused every
 * call. They cannot share the header: the proxy must pass the bearer token on to Slack, and
 * Proxy-Authorization is for forward proxies (a reverse proxy in front of Slack does not check
 * it). So such a URL is refused at start, as PAGERDUTY_EVENTS_URL's are sent (no token there).
 */

export const SLACK_URL_CREDENTIALS_MESSAGE =
  'SLACK_API_URL: a user name or password in it (user:password@, for a proxy in front of Slack) cannot be sent: ' +
  'basic auth would go in the Authorization header, which carries the Slack bot token (Bearer) that the proxy must pass on to Slack. ' +
  'Remove them (they are not shown here); let the proxy admit alertgate another way, by its network address (a NetworkPolicy, an allow-list)';

/** Throws SLACK_URL_CREDENTIALS_MESSAGE when `url` (a parsed http(s) URL) has a user name or password. */
export function refuseSlackUrlCredentials(url: URL): void {
  if (url.username !== '' || url.password !== '') throw new Error(SLACK_URL_CREDENTIALS_MESSAGE);
}
