/**
 * The LabelCache port: each Digital Link's QR code rendered once and kept, so that packing a lot
 * (or printing its sheet again, or a page showing it) reuses the same images.
 *
 * Contract, for every adapter (test/cache.contract.ts holds each one to it):
 * - `get(uri)` MUST return exactly what was stored for that exact `uri` (byte for byte, the PNG
 *   included), or undefined. Keys are compared as given: callers pass URIs from
 *   `buildDigitalLink`, which writes each key one way only.
 * - `putIfAbsent(qr)` MUST store `qr` when nothing is stored for `qr.uri`, and otherwise MUST
 *   keep what is stored and return it: the first writer wins, so every caller, even concurrent
 *   ones on different processes, prints the same image.
 * - Entries are never changed or removed by the cache: a Digital Link names the same thing for
 *   the life of the product.
 */
import { buildDigitalLink, type DigitalLinkKey } from '@milkchain/domain';
import { DEFAULT_ERROR_CORRECTION, renderQr, type ErrorCorrection } from './qr.ts';

export interface RenderedQr {
  readonly uri: string;
  readonly svg: string;
  readonly png: Buffer;
}

export interface LabelCache {
  get(uri: string): Promise<RenderedQr | undefined>;
  putIfAbsent(qr: RenderedQr): Promise<RenderedQr>;
}

/** In-memory adapter: for tests and the one-process mode without a database. */
export function createMemoryLabelCache(): LabelCache {
  const entries = new Map<string, RenderedQr>();
  return {
    async get(uri) {
      const hit = entries.get(uri);
      return hit && copy(hit);
    },
    async putIfAbsent(qr) {
      const stored = entries.get(qr.uri) ?? copy(qr);
      if (!entries.has(qr.uri)) entries.set(qr.uri, stored);
      return copy(stored);
    },
  };
}

// Callers get their own Buffer, as from a database: changing it cannot change what is stored.
const copy = (qr: RenderedQr): RenderedQr => ({ uri: qr.uri, svg: qr.svg, png: Buffer.from(qr.png) });

/** Renders both images of one code. Injected into ensureLotLabel so tests can count renders. */
export type QrRenderer = (uri: string) => Promise<{ svg: string; png: Buffer }>;

/** The SVG and the PNG of `uri`, at the given error correction (default M). */
export function qrRenderer(errorCorrection: ErrorCorrection = DEFAULT_ERROR_CORRECTION): QrRenderer {
  return async (uri) => {
    const [svg, png] = await Promise.all([renderQr(uri, { format: 'svg', errorCorrection }), renderQr(uri, { format: 'png', errorCorrection })]);
    return { svg, png };
  };
}

const defaultRenderer = qrRenderer();

/** Renders in flight, per cache and URI: concurrent callers in one process share one render. */
const inFlight = new WeakMap<LabelCache, Map<string, Promise<RenderedQr>>>();

/**
 * The QR code of `key` on the resolver at `base` (a lot, one serialised unit, or a shipment):
 * from the cache when it is there, else rendered once, stored, and returned. This is the one call
 * the trace service makes when it sees `lot.packed`. Throws DigitalLinkError for an invalid key.
 */
export async function ensureLotLabel(cache: LabelCache, base: string, key: DigitalLinkKey, render: QrRenderer = defaultRenderer): Promise<RenderedQr> {
  const uri = buildDigitalLink(base, key);
  let pending = inFlight.get(cache);
  if (!pending) inFlight.set(cache, (pending = new Map()));
  const running = pending.get(uri);
  if (running) return running;
  const task = (async () => {
    const hit = await cache.get(uri);
    if (hit) return hit;
    const { svg, png } = await render(uri);
    return cache.putIfAbsent({ uri, svg, png });
  })();
  pending.set(uri, task);
  try {
    return await task;
  } finally {
    pending.delete(uri);
  }
}
