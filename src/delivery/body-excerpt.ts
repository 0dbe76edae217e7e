/**
 * @module delivery/body-excerpt
 * What an unexpected answer body says, for an error message: a proxy's or load balancer's HTML
 * error page (Squid, Cloudflare, an ingress) puts its doctype, meta tags and styles first, so the
 * first 200 characters of its markup said nothing; its title and visible text say what happened
 * ("ERROR: The requested URL could not be retrieved — (111) Connection refused").
 * Secrets are blanked by `redact` before the cut (a cut could leave part of one), and after
 * entities are decoded, as well as in the raw text: a password with `&` reads `&amp;` in markup.
 */

/** Markup read at most: an error page's title and message come early, and the regexes stay cheap. */
const MAX_HTML_CHARS = 16 * 1024;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function looksLikeHtml(text: string): boolean {
  return /^(<!doctype html|<html[\s>]|<!--|<head[\s>])/i.test(text) || /<(html|body)[\s>]/i.test(text.slice(0, 1024));
}

function plain(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#39|[a-z]+);/gi, (m, name: string) => ENTITIES[name.toLowerCase()] ?? m)
    .replace(/\s+/g, ' ')
    .trim();
}

/** The body on one line, at most `maxChars`; an HTML page as `HTML page: <title> — <text>`. */
export function bodyExcerpt(body: string, maxChars: number, redact: (text: string) => string = (t) => t): string {
  const text = redact(body.trim());
  if (!looksLikeHtml(text)) return redact(text.replace(/\s+/g, ' ')).slice(0, maxChars);
  const html = text.slice(0, MAX_HTML_CHARS);
  const title = plain(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '');
  const visible = plain(
    html
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<head[\s>][\s\S]*?<\/head>/gi, ' ')
      .replace(/<script[\s>][\s\S]*?<\/script>/gi, ' ')
      .replace(/<style[\s>][\s\S]*?<\/style>/gi, ' ')
      .replace(/<title[\s>][\s\S]*?<\/title>/gi, ' '),
  );
  const parts = [title, visible].filter((p) => p !== '');
  return redact(`HTML page: ${parts.length > 0 ? parts.join(' — ') : '(no text)'}`).slice(0, maxChars);
}
