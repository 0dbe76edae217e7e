import { describe, expect, it } from 'vitest';
import { bodyExcerpt } from './body-excerpt.js';

describe('bodyExcerpt', () => {
  it('keeps a body that is not HTML as it is, on one line and capped', () => {
    expect(bodyExcerpt('  upstream connect error\n or disconnect/reset before headers  ', 200)).toBe('upstream connect error or disconnect/reset before headers');
    expect(bodyExcerpt('x'.repeat(500), 10)).toBe('x'.repeat(10));
    expect(bodyExcerpt('{"message":"<b>"}', 200)).toBe('{"message":"<b>"}');
  });

  it("says what an HTML page says: its title, then its text without head, scripts, styles or comments; capped", () => {
    const page = '<!DOCTYPE html><html><head><style>p{}</style><title>503 Service Unavailable</title></head><body><script>x()</script><!-- hidden --><h1>Service&nbsp;Unavailable</h1><p>try &lt;later&gt;</p></body></html>';
    expect(bodyExcerpt(page, 200)).toBe('HTML page: 503 Service Unavailable — Service Unavailable try <later>');
    expect(bodyExcerpt(page, 30)).toBe('HTML page: 503 Service Unavail');
    expect(bodyExcerpt('<html><head><title></title></head><body> </body></html>', 200)).toBe('HTML page: (no text)');
  });
});
