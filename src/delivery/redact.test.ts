/**
 * urlCredentials: what a receiver URL's userinfo may come back as, for redaction.
 */
import { describe, expect, it } from 'vitest';
import { urlCredentials } from './redact.js';

describe('urlCredentials', () => {
  it('gives the password as written and decoded, and the basic-auth credentials node:http sends', () => {
    const base64 = Buffer.from('proxy user:pa55/w@rd').toString('base64');
    expect(urlCredentials('https://proxy%20user:pa55%2Fw%40rd@pd.example')).toEqual(['pa55%2Fw%40rd', 'pa55/w@rd', base64]);
  });

  it('keeps a % that starts no escape as written, as a driver sends it', () => {
    expect(urlCredentials('https://u:50%off@pd.example')).toEqual(['50%off', Buffer.from('u:50%off').toString('base64')]);
  });

  it('gives a user name without a password (a proxy taking an API key as user name), which node:http sends as basic auth "user:"', () => {
    expect(urlCredentials('https://k3y%2Fk3y@proxy.example')).toEqual(['k3y%2Fk3y', 'k3y/k3y', Buffer.from('k3y/k3y:').toString('base64')]);
  });

  it('gives none without a user name or password, or for no URL', () => {
    expect(urlCredentials('https://events.pagerduty.com')).toEqual([]);
    expect(urlCredentials('not a url')).toEqual([]);
    expect(urlCredentials(undefined)).toEqual([]);
  });
});
