import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { demoWorld, ORG } from '@milkchain/seeds';
import { runSteps, listenOn } from '@milkchain/embedded';
import { silentLogger } from '@milkchain/http';
import { COPY_WARNING, httpLedgerReader, httpOrgDirectory, resolverRouter, verifyBundle, type VerificationBundle } from '@milkchain/trace-service';
import { api, startWorld, type World } from './support/world.ts';

/**
 * The resolver and the verification bundle over the demo world's first days, through the real
 * services in one process: Digital Link parsing (400), canonical redirects (301), serials (303),
 * unknown lots (404), the linkset, the bundle verified with packages/ledger's verifier, its cache
 * and the trigger that drops it, scans of serialised codes and the copy warning, and the rate limit.
 */
let world: World;
let lot: { subject: string; gtin: string; lot: string; path: string };

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'resolver');
  await runSteps(world.base, world.tokens, demoWorld({ days: 3 }), undefined, () => world.composed.projected());
  await world.composed.projected();
  // A lot made from milk that went through a lab: its lineage has results.
  const { rows } = await world.composed.pool.query<{ subject: string; gtin: string; lot: string }>(
    `SELECT n.subject, n.gtin, n.lot FROM trace_nodes n WHERE n.type = 'lot' ORDER BY n.created_at, n.subject LIMIT 1`,
  );
  const r = rows[0]!;
  lot = { ...r, path: `/01/${r.gtin}/10/${encodeURIComponent(r.lot)}` };
}, 600_000);

afterAll(async () => {
  await world?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(world.base + path, { headers, redirect: 'manual' });

describe('resolver', () => {
  it('serves the consumer page to browsers, zh-CN by default, English with ?lang=en', async () => {
    const res = await get(lot.path, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('vary')).toMatch(/Accept/);
    const html = await res.text();
    expect(html).toMatch(/<html lang="zh-CN">/);
    expect(html).toContain(`data-lot="${lot.subject}"`);
    expect(html).toContain('id="verify-status"');
    expect(html).toMatch(/GB \d+/); // lab results name their standard
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"'\s]*\.(js|css|woff2?)/); // nothing fetched from elsewhere
    const en = await (await get(`${lot.path}?lang=en`)).text();
    expect(en).toMatch(/<html lang="en">/);
  });

  it('answers an RFC 9264 linkset to Accept: application/linkset+json', async () => {
    const res = await get(lot.path, { accept: 'application/linkset+json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/linkset\+json/);
    const body = (await res.json()) as { linkset: Array<Record<string, unknown>> };
    expect(body.linkset).toHaveLength(1);
    const set = body.linkset[0]!;
    expect(set.anchor).toBe(`http://localhost:8080${lot.path}`);
    for (const rel of ['pip', 'defaultLink', 'traceability', 'certificationInfo']) {
      const links = set[`https://gs1.org/voc/${rel}`] as Array<{ href: string }>;
      expect(links, rel).toBeInstanceOf(Array);
      expect(links[0]!.href).toMatch(/^http:\/\/localhost:8080\//);
    }
    expect((set['https://gs1.org/voc/traceability'] as Array<{ href: string }>)[0]!.href).toBe(`http://localhost:8080/trace/v1/bundles${lot.path}`);
    expect(Object.keys(set).some((k) => k.endsWith('/epcis'))).toBe(false); // trace serves no EPCIS history yet
  });

  it('redirects a GTIN-13 link to the canonical GTIN-14 one (301)', async () => {
    expect(lot.gtin.startsWith('0')).toBe(true);
    const res = await get(`/01/${lot.gtin.slice(1)}/10/${encodeURIComponent(lot.lot)}?lang=en`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${lot.path}?lang=en`);
  });

  it('walks an unknown serial up to its lot (303), carrying the serial and the other parameters', async () => {
    const res = await get(`${lot.path}/21/UNIT0001`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${lot.path}?serial=UNIT0001`);
    const en = await get(`${lot.path}/21/UNIT0001?lang=en`, { accept: 'application/linkset+json' });
    expect(en.status).toBe(303);
    expect(en.headers.get('location')).toBe(`${lot.path}?lang=en&serial=UNIT0001`);
  });

  it('answers an unknown lot with a friendly bilingual 404 page, and linkset clients with a problem', async () => {
    const res = await get(`/01/${lot.gtin}/10/NOSUCHLOT`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('未找到此产品批次');
    expect(html).toContain('We could not find this product lot');
    const json = await get(`/01/${lot.gtin}/10/NOSUCHLOT`, { accept: 'application/linkset+json' });
    expect(json.status).toBe(404);
    expect(json.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('refuses a malformed link with a 400 page naming what is wrong', async () => {
    const badCheck = lot.gtin.slice(0, 13) + String((Number(lot.gtin[13]) + 1) % 10);
    const res = await get(`/01/${badCheck}/10/${lot.lot}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(badCheck);
    expect(html).toContain('这个二维码链接有误');
    const order = await get(`/01/${lot.gtin}/21/1/10/${lot.lot}`, { accept: 'application/linkset+json' });
    expect(order.status).toBe(400);
    expect(((await order.json()) as { digitalLinkError: string }).digitalLinkError).toBe('QUALIFIER_ORDER');
  });
});

describe('scans of serialised codes', () => {
  const scans = async (serial: string) =>
    Number((await world.composed.pool.query<{ n: string }>('SELECT count(*) AS n FROM trace_scans WHERE gtin = $1 AND lot = $2 AND serial = $3', [lot.gtin, lot.lot, serial])).rows[0]!.n);
  const places = ['CN-NM', 'CN-BJ', 'CN-SH', 'CN-GD', 'CN-ZJ'];

  it('counts each scan with its coarse place; a serial scanned in 5 places gets a loud bilingual warning, zh-CN first', async () => {
    for (const place of places) {
      const res = await get(`${lot.path}/21/COPY0001`, { 'x-geo-region': place });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${lot.path}?serial=COPY0001`);
    }
    expect(await scans('COPY0001')).toBe(5);
    const { rows } = await world.composed.pool.query<{ place: string }>('SELECT DISTINCT place FROM trace_scans WHERE serial = $1 ORDER BY place', ['COPY0001']);
    expect(rows.map((r) => r.place)).toEqual([...places].sort());

    const page = await get(`${lot.path}?serial=COPY0001`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="copy-warning"');
    expect(html).toContain(COPY_WARNING['zh-CN']);
    expect(html).toContain(COPY_WARNING.en);
    expect(html.indexOf(COPY_WARNING['zh-CN'])).toBeLessThan(html.indexOf(COPY_WARNING.en));
    // Loudest first: before any recall or hold, and before the product.
    expect(html.indexOf('id="copy-warning"')).toBeLessThan(html.indexOf('id="product"'));
    expect(html).toContain('已在 5 个不同地区被扫描');
    // The language switch keeps the code, and the English page warns too.
    expect(html).toContain('href="?serial=COPY0001&amp;lang=en"');
    const en = await (await get(`${lot.path}?serial=COPY0001&lang=en`)).text();
    expect(en).toMatch(/<html lang="en">/);
    expect(en).toContain(COPY_WARNING.en);
  });

  it('does not warn for a serial scanned in one place, nor on the lot page without a serial', async () => {
    for (let i = 0; i < 3; i++) expect((await get(`${lot.path}/21/HOME0001`, { 'x-geo-region': 'CN-NM' })).status).toBe(303);
    const html = await (await get(`${lot.path}?serial=HOME0001`)).text();
    expect(html).toContain('data-serial="HOME0001"');
    expect(html).not.toContain('id="copy-warning"');
    expect(html).not.toContain(COPY_WARNING['zh-CN']);
    const plain = await (await get(lot.path)).text();
    expect(plain).not.toContain(COPY_WARNING['zh-CN']);
    expect(plain).not.toContain('data-serial');
  });

  it('does not count HEAD requests nor serials of unknown lots', async () => {
    const before = await scans('COPY0001');
    const head = await fetch(`${world.base}${lot.path}/21/COPY0001`, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(303);
    expect(await scans('COPY0001')).toBe(before);
    expect((await get(`/01/${lot.gtin}/10/NOSUCHLOT/21/COPY0001`, { 'x-geo-region': 'CN-XJ' })).status).toBe(404);
    const { rows } = await world.composed.pool.query<{ n: string }>(`SELECT count(*) AS n FROM trace_scans WHERE lot = 'NOSUCHLOT'`);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('lists the flagged serial for the regulator (GET /trace/v1/scans/flagged), and not the one scanned at home', async () => {
    const res = await api(world.base, 'GET', '/trace/v1/scans/flagged', { token: world.tokens.get(ORG.regulator)! });
    expect(res.status).toBe(200);
    const serials = (res.body as { serials: Array<{ gtin: string; lot: string; serial: string; places: number; placeNames: string[]; reasons: string[] }> }).serials;
    expect(serials.map((s) => s.serial)).toEqual(['COPY0001']);
    expect(serials[0]).toMatchObject({ gtin: lot.gtin, lot: lot.lot, places: 5, placeNames: [...places].sort(), reasons: ['scans.many-places'] });
  });
});

describe('verification bundle', () => {
  let bundle: VerificationBundle;

  beforeAll(async () => {
    const res = await get(`/trace/v1/bundles${lot.path}`);
    expect(res.status).toBe(200);
    bundle = (await res.json()) as VerificationBundle;
  });

  it('carries an ETag per version: a client that has this version gets 304, another language of the page another tag', async () => {
    const first = await get(`/trace/v1/bundles${lot.path}`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(JSON.parse(await first.text())).toEqual(bundle);
    // As a browser revalidates (fetch() would add `Cache-Control: no-cache` to a conditional
    // request, which asks for the full answer).
    const revalidate = (tag: string) => ({ 'if-none-match': tag, 'cache-control': 'max-age=0' });
    const again = await get(`/trace/v1/bundles${lot.path}`, revalidate(etag!));
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await get(`/trace/v1/bundles${lot.path}`, revalidate('"not-this-version"'));
    expect(other.status).toBe(200);

    const zh = await get(lot.path, { accept: 'text/html' });
    const en = await get(`${lot.path}?lang=en`, { accept: 'text/html' });
    expect(zh.headers.get('etag')).toMatch(/^"/);
    expect(en.headers.get('etag')).not.toBe(zh.headers.get('etag'));
    expect((await get(lot.path, { accept: 'text/html', ...revalidate(zh.headers.get('etag')!) })).status).toBe(304);
  });

  it('carries the lineage down to the farms, every proof against one checkpoint, and verifies with the ledger verifier', async () => {
    expect(bundle.lot).toBe(lot.subject);
    const kinds = new Set(bundle.entries.map((e) => e.event.kind));
    for (const k of ['lot.packed', 'batch.produced', 'milk.collected', 'sample.taken', 'lab.result.recorded']) expect(kinds, k).toContain(k);
    const report = await verifyBundle(bundle, { expectedLot: lot.subject });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.verified).toBe(bundle.entries.length);
    expect(report.checkpoint?.treeSize).toBe(bundle.treeSize);
    expect(Object.keys(bundle.orgs).length).toBeGreaterThan(1);
  });

  it('is refused when one byte of one event is changed, naming the event', async () => {
    const tampered = structuredClone(bundle);
    const victim = tampered.entries.find((e) => e.event.kind === 'milk.collected')!;
    (victim.event.data as { volumeL: number }).volumeL += 1;
    const report = await verifyBundle(tampered);
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => [f.check, f.event?.id])).toEqual([['hash', victim.id]]);
  });

  it('is refused with a forged checkpoint, a missing link or a wrong proof', async () => {
    const forged = structuredClone(bundle);
    const [h, p, s] = forged.checkpoint.split('.');
    forged.checkpoint = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    expect((await verifyBundle(forged)).failures.some((f) => f.check === 'checkpoint')).toBe(true);

    const missing = structuredClone(bundle);
    const dropped = missing.entries.findIndex((e) => e.event.kind === 'milk.collected');
    missing.entries.splice(dropped, 1);
    const r2 = await verifyBundle(missing);
    expect(r2.ok).toBe(false);
    expect(r2.failures.some((f) => f.check === 'chain')).toBe(true);

    const badProof = structuredClone(bundle);
    badProof.entries[0]!.proof = [...badProof.entries[0]!.proof].reverse();
    if (badProof.entries[0]!.proof.length < 2) badProof.entries[0]!.proof.push('00'.repeat(32));
    const r3 = await verifyBundle(badProof);
    expect(r3.failures.some((f) => f.check === 'inclusion' && f.event?.id === bundle.entries[0]!.id)).toBe(true);
  });

  it('is built once and served from resolver_bundles; a new event on its lineage drops it', async () => {
    const { pool } = world.composed;
    const row = async () => (await pool.query<{ built_at: Date; tree_size: string }>('SELECT built_at, tree_size FROM resolver_bundles WHERE lot_subject = $1', [lot.subject])).rows[0];
    const first = await row();
    expect(first).toBeDefined();
    expect(Number(first!.tree_size)).toBe(bundle.treeSize);
    await get(`/trace/v1/bundles${lot.path}`);
    expect((await row())!.built_at).toEqual(first!.built_at);
    // The projector's insert of any event on a subject the bundle carries drops the cached bundle.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO trace_events (id, seq, subject, kind, org, occurred_at, data) VALUES ($1, 999999999, $2, 'lot.sold', 'org_x', now(), '{}')`, ['f'.repeat(64), lot.subject]);
      expect(await (async () => (await client.query('SELECT 1 FROM resolver_bundles WHERE lot_subject = $1', [lot.subject])).rowCount)()).toBe(0);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('is 404 for an unknown lot', async () => {
    const res = await get(`/trace/v1/bundles/01/${lot.gtin}/10/NOSUCHLOT`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('rate limit', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use(
      resolverRouter({
        db: world.composed.pool,
        logger: silentLogger,
        ledger: httpLedgerReader(world.base),
        orgs: httpOrgDirectory(world.base),
        resolverBase: 'https://id.example',
        rateLimit: { burst: 2, perSecond: 0.01 },
      }),
    );
    server = await listenOn(app, 0, '127.0.0.1');
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers 429 with Retry-After once a client spent its burst (a page, then a problem for the bundle)', async () => {
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await fetch(`${base}${lot.path}`, { headers: { accept: 'application/linkset+json' } })).status);
    expect(statuses).toEqual([200, 200]);
    const page = await fetch(`${base}${lot.path}`);
    expect(page.status).toBe(429);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await page.text()).toContain('请求过于频繁');
    const bundle = await fetch(`${base}/trace/v1/bundles${lot.path}`);
    expect(bundle.status).toBe(429);
    expect(bundle.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
