/**
 * @module uptime/url-credentials
 * THANOS_URL's `user:password@` (basic auth) and a bearer token (THANOS_TOKEN or
 * THANOS_TOKEN_FILE) cannot both be sent: each is the whole Authorization header. The bearer
 * token used to replace the basic auth without a word, and an auth proxy wanting basic auth
 * refused every query. Which of the two the proxy checks only the operator knows, so both
 * together are refused at start (`alertgate serve` and `alertgate uptime` alike), as
 * SLACK_API_URL's credentials are (delivery/slack/api-url.ts).
 */

/** The refusal, naming the token's variable; neither credential is in it. */
export function thanosCredentialsTogetherMessage(tokenVariable: 'THANOS_TOKEN' | 'THANOS_TOKEN_FILE'): string {
  return (
    `THANOS_URL has a user name or password (user:password@, basic auth) and ${tokenVariable} is set too: both would go in the one Authorization header, so only one can be sent. ` +
    `Keep the one the proxy in front of Thanos checks: remove the user and password from THANOS_URL (they are not shown here), or unset ${tokenVariable}`
  );
}

/** Throws the refusal when `url` (parsed) carries a user name or password and a token variable is set. */
export function refuseThanosCredentialsTogether(url: URL, tokenVariable: 'THANOS_TOKEN' | 'THANOS_TOKEN_FILE' | undefined): void {
  if (tokenVariable !== undefined && (url.username !== '' || url.password !== '')) throw new Error(thanosCredentialsTogetherMessage(tokenVariable));
}
