import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { coarsePlace } from '../src/scans/scans.ts';
import { backoff, signBody, verifySignature } from '../src/recall/webhooks.ts';
import { holdersOf, rootUrn } from '../src/recall/scope.ts';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] });

describe('coarsePlace: the only place a scan keeps', () => {
  it('takes the edge\'s X-Geo-Region, cleaned and cut to 64 characters', () => {
    expect(coarsePlace(headers({ 'x-geo-region': ' 呼和浩特 ' }))).toBe('呼和浩特');
    expect(coarsePlace(headers({ 'x-geo-region': 'CN-NM<script>' }))).toBe('CN-NMscript');
    expect(coarsePlace(headers({ 'x-geo-region': 'x'.repeat(100) }))!.length).toBe(64);
  });

  it('else the region of the first Accept-Language range (a country), else nothing', () => {
    expect(coarsePlace(headers({ 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' }))).toBe('CN');
    expect(coarsePlace(headers({ 'accept-language': 'zh-Hans-cn' }))).toBe('CN');
    expect(coarsePlace(headers({ 'accept-language': 'en' }))).toBeNull();
    expect(coarsePlace(headers({}))).toBeNull();
  });
});

describe('webhook signatures and retries', () => {
  it('signs the exact body with HMAC-SHA256 under the secret, and a receiver can check it', () => {
    const body = '{"type":"recall.initiated","message":{"zh-CN":"召回通知"}}';
    const expected = `sha256=${createHmac('sha256', 'a-secret-of-16-chars').update(Buffer.from(body, 'utf8')).digest('hex')}`;
    expect(signBody('a-secret-of-16-chars', body)).toBe(expected);
    expect(verifySignature('a-secret-of-16-chars', body, expected)).toBe(true);
    expect(verifySignature('another-secret-16', body, expected)).toBe(false);
    expect(verifySignature('a-secret-of-16-chars', `${body} `, expected)).toBe(false);
    expect(verifySignature('a-secret-of-16-chars', body, undefined)).toBe(false);
  });

  it('backs off exponentially from the base, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, { backoffMs: 100, maxBackoffMs: 500 }))).toEqual([100, 200, 400, 500]);
    expect(backoff(1)).toBe(2000);
  });
});

describe('recall roots and holders', () => {
  it('records an event id and a farm range as URNs', () => {
    expect(rootUrn({ subject: 'urn:milkchain:batch:org_a:B1' })).toBe('urn:milkchain:batch:org_a:B1');
    expect(rootUrn({ subject: 'a'.repeat(64) })).toBe(`urn:milkchain:event:${'a'.repeat(64)}`);
    expect(rootUrn({ farm: 'org_farm', from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') })).toBe(
      'urn:milkchain:farm:org_farm:2026-11-01T00:00:00.000Z:2026-11-08T00:00:00.000Z',
    );
  });

  it('holders are the organisations holding units now, or with units on the way to them', () => {
    const lot = (holdings: Record<string, number>, inTransit: Record<string, { from: string; to: string; quantity: number }> = {}) =>
      ({ holdings, inTransit }) as unknown as Parameters<typeof holdersOf>[0][number];
    expect(holdersOf([lot({ org_b: 3, org_a: 0 }), lot({}, { s: { from: 'org_a', to: 'org_c', quantity: 2 } })])).toEqual(['org_b', 'org_c']);
  });
});
