/** Fragment ids of the team page's service sections: namespaced, and unique even where slugs collide. */
import { describe, expect, it } from 'vitest';
import { headingId, serviceAnchors } from './service-anchors.js';

describe('service anchors', () => {
  it('namespaces every service, so none takes an id of the page layout', () => {
    const anchors = serviceAnchors(['main', 'checkout', 'book-a-visit']);
    expect([...anchors.values()]).toEqual(['service-main', 'service-checkout', 'service-book-a-visit']);
    expect(headingId('service-main')).toBe('heading-main');
  });

  it('gives names whose slugs collide an id each, the first keeping the plain one', () => {
    const anchors = serviceAnchors(['Checkout', 'checkout', 'check out', 'checkout-2', '---']);
    expect([...anchors.entries()]).toEqual([
      ['Checkout', 'service-checkout'],
      ['checkout', 'service-checkout-2'],
      ['check out', 'service-check-out'],
      // Its natural id is taken by the second "checkout": it gets the next free one.
      ['checkout-2', 'service-checkout-2-2'],
      ['---', 'service-unnamed'],
    ]);
    expect(new Set([...anchors.values()].map(headingId)).size).toBe(anchors.size);
  });
});
