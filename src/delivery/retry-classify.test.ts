import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';
import { classifyHttpStatus, describeNetworkError, parseRetryAfter } from './retry-classify.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-10-01T09:00:00Z');
  it.each([
    ['7', 7000],
    [' 2 ', 2000],
    ['0.5', 500],
    ['Thu, 01 Oct 2026 09:00:30 GMT', 30_000],
    ['Thu, 01 Oct 2026 08:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('classifyHttpStatus', () => {
  it.each([
    [200, true, undefined],
    [202, true, undefined],
    [400, false, false],
    [401, false, false],
    [404, false, false],
    [408, false, false],
    [429, false, true],
    [500, false, true],
    [503, false, true],
  ])('HTTP %i → ok %s, retryable %s', (status, ok, retryable) => {
    const result = classifyHttpStatus('call', status);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.retryable).toBe(retryable);
  });

  it('attaches Retry-After to 429 only, and the detail to the message', () => {
    expect(classifyHttpStatus('pd', 429, { retryAfter: '3', detail: 'slow down' })).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 3000,
      error: 'pd: HTTP 429: slow down',
    });
    expect(classifyHttpStatus('pd', 503, { retryAfter: '3' })).toEqual({ ok: false, retryable: true, error: 'pd: HTTP 503' });
  });
});

describe('describeNetworkError', () => {
  it('surfaces the cause behind a bare "fetch failed"', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    expect(describeNetworkError(err)).toBe('fetch failed (connect ECONNREFUSED 127.0.0.1:9)');
  });
  it('names timeouts', () => {
    expect(describeNetworkError(new DOMException('x', 'TimeoutError'), 250)).toBe('request timed out after 250ms');
  });

  it('says what to check when the host does not resolve or its certificate is expired or for another name (the code may be on the cause)', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND slack.example'), { code: 'ENOTFOUND' });
    expect(describeNetworkError(dns)).toBe("getaddrinfo ENOTFOUND slack.example — the host name does not resolve: check the URL's host and this host's DNS (and egress)");
    const expired = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }) });
    expect(describeNetworkError(expired)).toBe("fetch failed (CERT_HAS_EXPIRED certificate has expired) — the server's certificate has expired (or this host's clock is wrong)");
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(describeNetworkError(refused)).toBe('connect ECONNREFUSED 127.0.0.1:9');
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redactSecrets('key abcd1234 and abcd1234 again; tok xyz-987', ['abcd1234', 'xyz-987', undefined, ''])).toBe(
      'key [REDACTED] and [REDACTED] again; tok [REDACTED]',
    );
  });
});
