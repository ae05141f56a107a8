import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { buildDigitalLink } from '@milkchain/domain';
import { demoWorld, ORG } from '@milkchain/seeds';
import { runSteps } from '@milkchain/embedded';
import { startWorld, type World } from './support/world.ts';

/**
 * QR codes and label sheets over the demo world's first days, through the real services in one
 * process: the label worker renders every packed lot's code into labels_qr after the projection,
 * the PNG decodes (zbarimg) to the lot's Digital Link, the sheet carries the lot's code and its
 * serialised units' codes, and the endpoints check who asks and what.
 */
const BASE = 'http://localhost:8080';
const run = promisify(execFile);

let world: World;
let dir: string;
let lots: Array<{ subject: string; gtin: string; lot: string; org: string }>;
let lot: { subject: string; gtin: string; lot: string; org: string; uri: string };

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'labels');
  await runSteps(world.base, world.tokens, demoWorld({ days: 3 }), undefined, () => world.composed.projected());
  await world.composed.projected();
  const { rows } = await world.composed.pool.query<{ subject: string; gtin: string; lot: string; org: string }>(
    `SELECT subject, gtin, lot, org FROM trace_nodes WHERE type = 'lot' ORDER BY created_at, subject`,
  );
  lots = rows;
  const first = rows.find((r) => r.org === ORG.processor)!;
  lot = { ...first, uri: buildDigitalLink(BASE, { type: 'gtin', gtin: first.gtin, lot: first.lot }) };
  dir = mkdtempSync(path.join(tmpdir(), 'labels-'));
}, 600_000);

afterAll(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (p: string, token: string | undefined) => fetch(world.base + p, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const processor = () => world.tokens.get(ORG.processor);
const lotPath = () => `/trace/v1/labels/01/${lot.gtin}/10/${encodeURIComponent(lot.lot)}`;

describe('labels', () => {
  it('renders every packed lot\'s code once into labels_qr, by the worker after the projection', async () => {
    expect(lots.length).toBeGreaterThan(1);
    const uris = lots.map((l) => buildDigitalLink(BASE, { type: 'gtin', gtin: l.gtin, lot: l.lot }));
    await vi.waitFor(
      async () => {
        const { rows } = await world.composed.pool.query<{ uri: string }>('SELECT uri FROM labels_qr WHERE uri = ANY($1)', [uris]);
        expect(rows.map((r) => r.uri).sort()).toEqual([...uris].sort());
      },
      { timeout: 20_000, interval: 100 },
    );
    const { rows: cursor } = await world.composed.pool.query<{ last_seq: string }>('SELECT last_seq FROM labels_worker');
    const { rows: packed } = await world.composed.pool.query<{ max: string }>(`SELECT max(seq)::text AS max FROM trace_events WHERE kind = 'lot.packed'`);
    expect(cursor).toHaveLength(1);
    expect(BigInt(cursor[0]!.last_seq)).toBeGreaterThanOrEqual(BigInt(packed[0]!.max));
  });

  it('serves the cached PNG, which zbarimg decodes to the lot\'s Digital Link', async () => {
    const res = await get(`${lotPath()}.png`, processor());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const png = Buffer.from(await res.arrayBuffer());
    const { rows } = await world.composed.pool.query<{ png: Buffer }>('SELECT png FROM labels_qr WHERE uri = $1', [lot.uri]);
    expect(png.equals(rows[0]!.png)).toBe(true);
    const file = path.join(dir, 'lot.png');
    writeFileSync(file, png);
    const { stdout } = await run('/usr/bin/zbarimg', ['--raw', '-q', file]);
    expect(stdout.trim()).toBe(lot.uri);
  });

  it('serves the SVG, also to the lot\'s own organisation', async () => {
    const res = await get(`${lotPath()}.svg`, world.tokens.get(lot.org));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toMatch(/<svg[^>]*viewBox=/);
  });

  it('prints a sheet with each lot\'s code and 3 serialised unit codes per lot', async () => {
    const two = lots.slice(0, 2);
    const qs = two.map((l) => `lot=${encodeURIComponent(`${l.gtin}:${l.lot}`)}`).join('&');
    const res = await get(`/trace/v1/labels/sheet?${qs}&serials=3`, processor());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const coded = [...html.matchAll(/data-uri="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    const expected = two.flatMap((l) => {
      const lotUri = buildDigitalLink(BASE, { type: 'gtin', gtin: l.gtin, lot: l.lot });
      return [lotUri, ...[1, 2, 3].map((n) => buildDigitalLink(BASE, { type: 'gtin', gtin: l.gtin, lot: l.lot, serial: `${l.lot}-000${n}` }))];
    });
    expect(coded).toEqual(expected);
    expect(expected[1]).toMatch(/\/01\/\d{14}\/10\/[^/]+\/21\/[^/]+-0001$/);
    expect(html).toContain('保质期至 / Best before 20');
    expect(html).toMatch(/<div class="name-zh" lang="zh-CN">[^<]*[\u4e00-\u9fff]/);
    expect(html).toMatch(/<div class="name-en" lang="en">[A-Za-z]/);
    // The unit codes are cached like the lot's.
    const { rows } = await world.composed.pool.query('SELECT 1 FROM labels_qr WHERE uri = $1', [expected[1]]);
    expect(rows).toHaveLength(1);
  });

  it('refuses a farm (403) and an oversized sheet (400 naming serials)', async () => {
    const farm = await get(`${lotPath()}.png`, world.tokens.get(ORG.farmTumed));
    expect(farm.status).toBe(403);
    expect(farm.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const farmSheet = await get(`/trace/v1/labels/sheet?lot=${lot.gtin}:${encodeURIComponent(lot.lot)}`, world.tokens.get(ORG.farmTumed));
    expect(farmSheet.status).toBe(403);
    const big = await get(`/trace/v1/labels/sheet?lot=${lot.gtin}:${encodeURIComponent(lot.lot)}&serials=100000`, processor());
    expect(big.status).toBe(400);
    expect(big.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await big.json()) as { problems?: Array<{ path: string }> };
    expect(body.problems?.map((p) => p.path)).toEqual(['serials']);
    const noToken = await get(`${lotPath()}.svg`, undefined);
    expect(noToken.status).toBe(401);
  });
});
