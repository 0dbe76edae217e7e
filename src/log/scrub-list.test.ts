import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { ScrubList } from './scrub-list.js';

describe('ScrubList', () => {
  it('lists each secret once, however often it is reported (a delivery thread reports its keys again after each restart)', () => {
    const list = new ScrubList(['webhook-token', undefined, '', 'webhook-token']);
    list.setRoutingKeys(['routing-key-a']);
    for (let restart = 0; restart < 3; restart++) {
      list.add('routing-key-a');
      list.add('slack-token-new');
    }
    list.add('webhook-token');
    expect(list.secrets()).toEqual(['webhook-token', 'routing-key-a', 'slack-token-new']);
  });

  it('keeps a reported secret when a reload drops the routing key it also was', () => {
    const list = new ScrubList([]);
    list.setRoutingKeys(['routing-key-a', 'routing-key-b']);
    list.add('routing-key-a');
    list.setRoutingKeys([]);
    expect(list.secrets()).toEqual(['routing-key-a']);
  });

  it('is what the logger blanks', () => {
    const list = new ScrubList(['fixed-secret']);
    const written: string[] = [];
    const log = createLogger({ secrets: list.secrets, write: (l) => written.push(l) });
    list.add('added-secret');
    log.info({ a: 'fixed-secret', b: 'added-secret' });
    expect(written.join('\n')).not.toMatch(/fixed-secret|added-secret/);
  });
});
