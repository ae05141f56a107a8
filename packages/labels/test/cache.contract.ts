import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { buildDigitalLink, DigitalLinkError } from '@milkchain/domain';
import { ensureLotLabel, qrRenderer, type LabelCache, type QrRenderer, type RenderedQr } from '../src/index.ts';

const BASE = 'https://id.milkchain.example';
const GTIN = '06901234567892';

/** A lot no other test (or earlier run on the same database) has used. */
const freshLot = () => `T${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const freshUri = () => buildDigitalLink(BASE, { type: 'gtin', gtin: GTIN, lot: freshLot() });

/** PNG-like bytes with every byte value in them, zero included, so nothing gets truncated or re-encoded on the way. */
const bytes = (seed: number) => Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7 + seed) % 256));

/** A renderer that counts its calls (the spy) around the real one. */
export function countingRenderer(): QrRenderer & { mock: { calls: unknown[][] } } {
  const real = qrRenderer();
  return vi.fn<QrRenderer>((uri) => real(uri));
}

/**
 * The behaviour every LabelCache adapter must have (the contract in src/cache.ts). `make` gives a
 * cache over the one store under test; two caches from it share what is stored, as two processes
 * on one database do.
 */
export function labelCacheContract(make: () => LabelCache): void {
  describe('get and putIfAbsent', () => {
    it('knows nothing it was not given', async () => {
      expect(await make().get(freshUri())).toBeUndefined();
    });

    it('gives back exactly what was stored, every byte of the PNG included', async () => {
      const cache = make();
      const qr: RenderedQr = { uri: freshUri(), svg: '<svg>奶</svg>', png: bytes(1) };
      expect(await cache.putIfAbsent(qr)).toEqual(qr);
      const got = await cache.get(qr.uri);
      expect(got).toEqual(qr);
      expect(Buffer.isBuffer(got!.png)).toBe(true);
      expect(await make().get(qr.uri)).toEqual(qr);
    });

    it('keeps the first code stored for a link and returns it to later writers', async () => {
      const cache = make();
      const uri = freshUri();
      const first = { uri, svg: '<svg>first</svg>', png: bytes(2) };
      await cache.putIfAbsent(first);
      expect(await make().putIfAbsent({ uri, svg: '<svg>second</svg>', png: bytes(3) })).toEqual(first);
      expect(await cache.get(uri)).toEqual(first);
    });

    it('lets exactly one of many concurrent writers win, and tells every one of them which', async () => {
      const uri = freshUri();
      const caches = [make(), make(), make()];
      const results = await Promise.all(caches.flatMap((c, i) => [0, 1].map((j) => c.putIfAbsent({ uri, svg: `<svg>${i}.${j}</svg>`, png: bytes(i * 2 + j) }))));
      expect(new Set(results.map((r) => r.svg)).size).toBe(1);
      expect(await make().get(uri)).toEqual(results[0]);
    });

    it('compares links exactly as given: another lot, or the same one spelled otherwise, is another entry', async () => {
      const cache = make();
      const uri = freshUri();
      await cache.putIfAbsent({ uri, svg: '<svg/>', png: bytes(4) });
      expect(await cache.get(uri.toUpperCase())).toBeUndefined();
      expect(await cache.get(`${uri}/`)).toBeUndefined();
      expect(await cache.get(freshUri())).toBeUndefined();
    });

    it('does not let a caller change what is stored by changing the Buffer it got', async () => {
      const cache = make();
      const qr = { uri: freshUri(), svg: '<svg/>', png: bytes(5) };
      const stored = await cache.putIfAbsent(qr);
      stored.png.fill(0);
      qr.png.fill(0);
      expect(await cache.get(qr.uri)).toEqual({ ...qr, png: bytes(5) });
    });
  });

  describe('ensureLotLabel through the cache', () => {
    it('renders a lot once, however often it is asked for, and serves the same images', async () => {
      const render = countingRenderer();
      const cache = make();
      const key = { type: 'gtin', gtin: GTIN, lot: freshLot() } as const;
      const first = await ensureLotLabel(cache, BASE, key, render);
      const second = await ensureLotLabel(cache, BASE, key, render);
      const fromAnother = await ensureLotLabel(make(), BASE, key, render);
      expect(render.mock.calls).toEqual([[buildDigitalLink(BASE, key)]]);
      expect(first.uri).toBe(buildDigitalLink(BASE, key));
      expect(first.svg.startsWith('<svg ')).toBe(true);
      expect(first.png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(second).toEqual(first);
      expect(fromAnother).toEqual(first);
    });

    it('renders once when the same lot is asked for concurrently', async () => {
      const render = countingRenderer();
      const cache = make();
      const key = { type: 'gtin', gtin: GTIN, lot: freshLot() } as const;
      const all = await Promise.all(Array.from({ length: 5 }, () => ensureLotLabel(cache, BASE, key, render)));
      expect(render).toHaveBeenCalledTimes(1);
      for (const qr of all) expect(qr).toEqual(all[0]);
    });

    it('gives each serialised unit a code of its own, and the lot its own', async () => {
      const render = countingRenderer();
      const cache = make();
      const lot = freshLot();
      const keys = [undefined, '0001', '0002', '0003'].map((serial) => ({ type: 'gtin' as const, gtin: GTIN, lot, ...(serial ? { serial } : {}) }));
      const codes = await Promise.all(keys.map((key) => ensureLotLabel(cache, BASE, key, render)));
      expect(new Set(codes.map((c) => c.uri)).size).toBe(4);
      expect(new Set(codes.map((c) => c.svg)).size).toBe(4);
      expect(codes[1]!.uri).toBe(`${BASE}/01/${GTIN}/10/${lot}/21/0001`);
      expect(render).toHaveBeenCalledTimes(4);
    });

    it('renders nothing and stores nothing for an invalid key', async () => {
      const render = countingRenderer();
      await expect(ensureLotLabel(make(), BASE, { type: 'gtin', gtin: '06901234567893', lot: 'L1' }, render)).rejects.toBeInstanceOf(DigitalLinkError);
      expect(render).not.toHaveBeenCalled();
    });
  });
}
