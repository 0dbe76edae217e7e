import { describe, expect, it } from 'vitest';
import { withoutTrailingSlashes } from './url-text.js';

describe('withoutTrailingSlashes', () => {
  it('drops every trailing slash and nothing else', () => {
    expect(withoutTrailingSlashes('http://am.example:9093/')).toBe('http://am.example:9093');
    expect(withoutTrailingSlashes('http://am.example///')).toBe('http://am.example');
    expect(withoutTrailingSlashes('http://am.example/a//b')).toBe('http://am.example/a//b');
    expect(withoutTrailingSlashes('///')).toBe('');
    expect(withoutTrailingSlashes('')).toBe('');
  });

  it('takes linear time on a long run of slashes that is not at the end', () => {
    const url = `${'/'.repeat(5_000_000)}x`;
    expect(withoutTrailingSlashes(url)).toBe(url);
    expect(withoutTrailingSlashes(`${url}${'/'.repeat(5_000_000)}`)).toBe(url);
  });
});
