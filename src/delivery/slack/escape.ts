/**
 * @module delivery/slack/escape
 * Slack's control characters. Slack reads `<…>` as mentions (`<!channel>`) and links
 * (`<https://x|label>`), so every piece of alert-sourced text goes through `escapeSlack`
 * before it reaches a message: an alert can then show `<!channel>` but never trigger it.
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */

const NEEDS_ESCAPE = /[&<>]/;
/** U+02CB, shown for a backtick wherever one would start or end a code span (mrkdwn has no escape for it). */
const BACKTICK_LOOKALIKE = 'ˋ';
const URL_NEEDS_ESCAPE = /[<>|\s&]/;

/** Escapes `&`, `<`, `>` (the only three Slack asks for), in that order. */
export function escapeSlack(text: string): string {
  // Most alert text has none of the three: one scan instead of three replacing passes.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `escapeSlack` for text shown inside an inline code span (`` `text` ``). mrkdwn has no escape for
 * a backtick, and a code span ends at the next one or at a line break: alert text holding either
 * would end the span and have what follows formatted (`*bold*`, a line of its own). A backtick is
 * shown as U+02CB (ˋ), a line break as ↵.
 */
export function escapeSlackCode(text: string): string {
  return escapeSlack(text).replace(/`/g, BACKTICK_LOOKALIKE).replace(/\r\n|[\r\n]/g, '↵');
}

const BOLD_LOOKALIKES: Readonly<Record<string, string>> = { '*': '∗', _: 'ˍ', '~': '∼', '`': BACKTICK_LOOKALIKE };

/**
 * Escaped text (links `<…>` included) for inside `*bold*`. mrkdwn has no escape for its formatting
 * characters, so alert text holding `*` ended the bold early, and a backtick, or a `_` or `~` at a
 * word's edge, started code, italics or strike-through inside it: outside links they are shown as
 * look-alikes, U+2217 (∗), U+02CB (ˋ), U+02CD (ˍ), U+223C (∼). A `_` or `~` inside a word
 * (`above_limit`, a metric name) formats nothing in Slack and stays as written, so it can be
 * searched and copied. A link's URL is left as written (escaped text holds no `<` but a link's).
 */
export function slackBoldText(escaped: string): string {
  if (!/[*_~`]/.test(escaped)) return escaped;
  return escaped.replace(/(<[^>]*>)|[*`]|(?<![\p{L}\p{N}])[_~]|[_~](?![\p{L}\p{N}])/gu, (m, link: string | undefined) => link ?? BOLD_LOOKALIKES[m]!);
}

/** An http(s) URL written in alert text; punctuation that ends a sentence is not part of it. */
const WRITTEN_URL = /https?:\/\/[^\s<>"`]+/g;
const URL_TRAILING_PUNCTUATION = ".,;:!?'*_~";
const OPENER_OF: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/** `url` without the punctuation that ends its sentence; a closing bracket the URL opened stays (`…/Foo_(bar)`). */
function trimWrittenUrl(url: string): string {
  const count = (c: string): number => url.split(c).length - 1;
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return url;
    const opener = OPENER_OF[last];
    const ends = URL_TRAILING_PUNCTUATION.includes(last) || (opener !== undefined && count(last) > count(opener));
    if (!ends) return url;
    url = url.slice(0, -1);
  }
}

/**
 * `escapeSlack`, with the http(s) URLs written in the text made links (`<url>`). Messages are
 * sent `verbatim` (render.ts: so no `@channel` written out is parsed), which also stops Slack
 * from linking URLs itself: an annotation's runbook or dashboard URL stays clickable this way.
 */
export function escapeSlackLinkingUrls(text: string): string {
  if (!text.includes('://')) return escapeSlack(text);
  let out = '';
  let from = 0;
  for (const m of text.matchAll(WRITTEN_URL)) {
    const url = trimWrittenUrl(m[0]);
    if (!/^https?:\/\/[^/?#]/.test(url)) continue;
    out += `${escapeSlack(text.slice(from, m.index))}<${escapeSlackUrl(url)}>`;
    from = m.index + url.length;
  }
  return out + escapeSlack(text.slice(from));
}

/**
 * Makes a URL safe inside `<url|label>`: `<`, `>` and `|` (which would end the URL or start
 * the label) and whitespace are percent-encoded, `&` is entity-escaped as Slack expects.
 */
export function escapeSlackUrl(url: string): string {
  if (!URL_NEEDS_ESCAPE.test(url)) return url;
  return url
    .replace(/[<>|\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/&/g, '&amp;');
}

/** A link we build ourselves; `label` is ours too, escaped anyway for safety. */
export function slackLink(url: string, label: string): string {
  return `<${escapeSlackUrl(url)}|${escapeSlack(label).replace(/\|/g, '/')}>`;
}

/**
 * Shortens already-escaped text to at most `max` characters, ending in "…".
 * Never cuts an entity (`&amp;`), a link (`<…>`: escaped text holds no other `<`) or a
 * surrogate pair in half.
 */
export function truncateSlack(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
