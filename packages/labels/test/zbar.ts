/**
 * Reading printed codes back, for tests: zbarimg (Debian's zbar-tools) decodes PNGs. No SVG
 * converter is installed here (no rsvg-convert; `convert` is a stand-in that only prints PNGs),
 * so an SVG is read by taking its geometry apart (the modules of the path `qrcode` writes),
 * drawing those modules into a PNG, and decoding that: what zbarimg reads is then the SVG's own
 * drawing, not a second rendering of the URI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';

const run = promisify(execFile);
export const ZBARIMG = '/usr/bin/zbarimg';

/** Every QR code zbarimg finds in the PNG, as decoded text. */
export async function decodePng(png: Buffer): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'milkchain-qr-'));
  try {
    const file = path.join(dir, 'code.png');
    await writeFile(file, png);
    const { stdout } = await run(ZBARIMG, ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file]);
    return stdout.split('\n').filter((line) => line !== '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The dark modules of an SVG written by `qrcode` (one `<path>` of horizontal runs: `M x y`
 * starts a row at y + 0.5, `m dx 0` skips, `h n` draws n modules), quiet zone included, as rows
 * of booleans; `size` is the viewBox's side in modules.
 */
export function svgModules(svg: string): { size: number; dark: boolean[][] } {
  const size = Number(/viewBox="0 0 (\d+) (\d+)"/.exec(svg)?.[1]);
  const d = /<path stroke="[^"]+" d="([^"]+)"/.exec(svg)?.[1];
  if (!Number.isInteger(size) || d === undefined) throw new Error('not an SVG as qrcode writes it');
  const dark = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of d.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    const n = Number(a);
    if (cmd === 'M') [x, y] = [n, Number(b)];
    else if (cmd === 'm') [x, y] = [x + n, y + Number(b)];
    else {
      for (let i = 0; i < n; i++) dark[y - 0.5]![x + i] = true;
      x += n;
    }
  }
  return { size, dark };
}

/** An 8-bit greyscale PNG of the modules, `scale` pixels each (black on white). */
export function modulesToPng(dark: boolean[][], scale = 8): Buffer {
  const side = dark.length * scale;
  const raw = Buffer.alloc((side + 1) * side, 255);
  for (let py = 0; py < side; py++) {
    raw[py * (side + 1)] = 0; // filter type: none
    for (let px = 0; px < side; px++) {
      if (dark[Math.floor(py / scale)]![Math.floor(px / scale)]) raw[py * (side + 1) + 1 + px] = 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8 bits, greyscale, deflate, no filter method, no interlace
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Width and height of a PNG, from its IHDR. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
