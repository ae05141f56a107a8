import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { buildDigitalLink, type DigitalLinkKey } from '@milkchain/domain';
import { escapeXml, QUIET_ZONE, renderQr, type ErrorCorrection } from '../src/index.ts';
import { decodePng, modulesToPng, pngSize, svgModules } from './zbar.ts';

// The I/O tier: zbarimg runs as a process on files.

const BASE = 'https://id.milkchain.example';
const KEYS: Array<[string, DigitalLinkKey]> = [
  ['a lot', { type: 'gtin', gtin: '06901234567892', lot: 'L20261120A' }],
  ['a serialised unit with characters that must be percent-encoded', { type: 'gtin', gtin: '06901234567892', lot: 'L/2026&1', serial: '(0001)' }],
  ['a shipment', { type: 'sscc', sscc: '106141411234567897' }],
];
const LEVELS: ErrorCorrection[] = ['M', 'Q'];

describe.each(LEVELS)('error correction %s', (errorCorrection) => {
  it.each(KEYS)('the PNG of %s decodes to its Digital Link', async (_, key) => {
    const uri = buildDigitalLink(BASE, key);
    const png = await renderQr(uri, { format: 'png', errorCorrection });
    expect(await decodePng(png)).toEqual([uri]);
  });

  it.each(KEYS)('the SVG of %s draws the same code, with a quiet zone of 4, and decodes to its Digital Link', async (_, key) => {
    const uri = buildDigitalLink(BASE, key);
    const svg = await renderQr(uri, { format: 'svg', errorCorrection });
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* viewBox="0 0 \d+ \d+"[^>]*>.*<\/svg>$/s);
    expect(svg).toContain(` role="img" aria-label="${escapeXml(uri)}"`);

    const expected = QRCode.create(uri, { errorCorrectionLevel: errorCorrection }).modules;
    const { size, dark } = svgModules(svg);
    expect(size).toBe(expected.size + 2 * QUIET_ZONE);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = x >= QUIET_ZONE && y >= QUIET_ZONE && x < size - QUIET_ZONE && y < size - QUIET_ZONE;
        const want = inside && expected.get(y - QUIET_ZONE, x - QUIET_ZONE) === 1;
        if (dark[y]![x] !== want) expect.fail(`module (${x}, ${y}) is ${dark[y]![x] ? 'dark' : 'light'} in the SVG`);
      }
    }
    expect(await decodePng(modulesToPng(dark))).toEqual([uri]);
  });
});

it('Q makes a denser code than M for the same link, and the PNG is 8 pixels a module with its quiet zone', async () => {
  const uri = buildDigitalLink(BASE, KEYS[0]![1]);
  const m = QRCode.create(uri, { errorCorrectionLevel: 'M' }).modules.size;
  const q = QRCode.create(uri, { errorCorrectionLevel: 'Q' }).modules.size;
  expect(q).toBeGreaterThan(m);
  expect(pngSize(await renderQr(uri, { format: 'png' }))).toEqual({ width: (m + 8) * 8, height: (m + 8) * 8 });
  expect(pngSize(await renderQr(uri, { format: 'png', errorCorrection: 'Q', scale: 3 }))).toEqual({ width: (q + 8) * 3, height: (q + 8) * 3 });
});

it('renders the same bytes every time', async () => {
  const uri = buildDigitalLink(BASE, KEYS[1]![1]);
  expect(await renderQr(uri, { format: 'png' })).toEqual(await renderQr(uri, { format: 'png' }));
  expect(await renderQr(uri, { format: 'svg' })).toBe(await renderQr(uri, { format: 'svg' }));
});

it('refuses nothing to encode and a scale that is not whole pixels', async () => {
  await expect(renderQr('', { format: 'svg' })).rejects.toThrow(RangeError);
  await expect(renderQr('https://x.example/00/106141411234567897', { format: 'png', scale: 2.5 })).rejects.toThrow(RangeError);
});
