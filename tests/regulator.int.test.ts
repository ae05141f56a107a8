import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { AFM1_INCIDENT, demoWorld, EXCURSION_DAY, ORG } from '@milkchain/seeds';
import { runSteps } from '@milkchain/embedded';
import { api, startWorld, type World } from './support/world.ts';

/**
 * The regulator's view over the demo world through day 12 (the AFM1 confirmation of day 9's
 * evening load, the cold-chain excursion of day 12), through the real services in one process.
 */
let world: World;
const FROM = '2026-11-02';
const TO = '2026-11-30';

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'regulator');
  await runSteps(world.base, world.tokens, demoWorld({ days: EXCURSION_DAY + 1 }), undefined, () => world.composed.projected());
  await world.composed.projected();
}, 900_000);

afterAll(async () => {
  await world?.close();
});

const regulator = () => world.tokens.get(ORG.regulator)!;

describe("the regulator's view", () => {
  it('lists the AFM1 non-conformity in the regions of the farms whose milk was in the load, 托克托县 among them, by analyte and day', async () => {
    const res = await api(world.base, 'GET', `/trace/v1/regulator/nonconformities?from=${FROM}&to=${TO}&bucket=day`, { token: regulator() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const results = res.body.results as Array<{ analyte: string; value: number; farms: string[]; regions: Array<{ code: string; name: string }>; lab: string; at: string }>;
    const afm1 = results.filter((r) => r.analyte === 'aflatoxin_m1');
    expect(afm1).toHaveLength(1);
    expect(afm1[0]!.value).toBe(AFM1_INCIDENT.value);
    expect(afm1[0]!.lab).toBe(ORG.thirdPartyLab);
    expect(afm1[0]!.farms).toContain(ORG.farmTogtoh);
    const togtoh = afm1[0]!.regions.find((g) => g.name.includes('托克托'));
    expect(togtoh).toBeDefined();
    // The series counts it in its region's bucket.
    const buckets = res.body.buckets as string[];
    const series = res.body.series as Array<{ region: { code: string }; analyte: string; counts: number[]; total: number }>;
    const s = series.find((x) => x.region.code === togtoh!.code && x.analyte === 'aflatoxin_m1')!;
    expect(s.total).toBe(1);
    expect(buckets[s.counts.indexOf(1)]).toBe(afm1[0]!.at.slice(0, 10));

    const weekly = await api(world.base, 'GET', `/trace/v1/regulator/nonconformities?from=${FROM}&to=${TO}&bucket=week`, { token: regulator() });
    expect(weekly.status).toBe(200);
    expect((weekly.body.buckets as string[]).every((b) => new Date(`${b}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
  });

  it('lists the cold-chain excursion of day 12 with its peak and the lots on board, and the AFM1 hold', async () => {
    const res = await api(world.base, 'GET', `/trace/v1/regulator/excursions?from=${FROM}&to=${TO}`, { token: regulator() });
    expect(res.status).toBe(200);
    const ex = res.body.excursions as Array<{ sscc: string; excursions: Array<{ peakC: number }>; lots: string[]; org: string }>;
    expect(ex).toHaveLength(1);
    expect(ex[0]!.org).toBe(ORG.carrier);
    expect(Math.max(...ex[0]!.excursions.map((x) => x.peakC))).toBe(7.4);
    expect(ex[0]!.lots.length).toBeGreaterThan(0);

    const holds = await api(world.base, 'GET', '/trace/v1/regulator/holds', { token: regulator() });
    expect(holds.status).toBe(200);
    const list = holds.body.holds as Array<{ subject: string; reason: string | null; status: string }>;
    expect(list.some((h) => h.status === 'held')).toBe(true);
  });

  it("shows the ledger's latest checkpoint and, once it has run, the regulator's audit with when it ran and its result", async () => {
    const before = await api(world.base, 'GET', '/trace/v1/regulator/ledger', { token: regulator() });
    expect(before.status).toBe(200);
    const cp = before.body.checkpoint as { treeSize: number; rootHash: string };
    expect(cp.treeSize).toBe(world.composed.ledger.sequencer.size);
    const run = await api(world.base, 'POST', '/trace/v1/regulator/audits', { token: regulator() });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    expect(run.body.ok, JSON.stringify(run.body.report)).toBe(true);
    const after = await api(world.base, 'GET', '/trace/v1/regulator/ledger', { token: regulator() });
    const audit = after.body.audit as { ok: boolean; treeSize: number; finishedAt: string };
    expect(audit.ok).toBe(true);
    expect(audit.treeSize).toBeGreaterThanOrEqual(cp.treeSize);
    expect(Date.parse(audit.finishedAt)).toBeGreaterThan(Date.now() - 600_000);
  }, 120_000);

  it('renders the page with the chart, the excursion and the checkpoint, zh-CN first and with no external request', async () => {
    const res = await fetch(`${world.base}/regulator?from=${FROM}&to=${TO}`, { headers: { authorization: `Bearer ${regulator()}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toMatch(/<svg id="nonconformity-chart"[^>]*>/);
    expect(html).toMatch(/<rect class="bar"[^>]*data-analyte="aflatoxin_m1"/);
    expect(html).toContain('托克托');
    expect(html).toContain('冷链超温');
    expect(html).toContain('7.4 °C');
    expect(html).toContain(String(world.composed.ledger.sequencer.size));
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toContain('<script');
  });

  it('refuses a farm token with 403 (API and page), asks for a token with 401, and shows the sign-in form to a browser without one', async () => {
    const farm = world.tokens.get(ORG.farmTogtoh)!;
    expect((await api(world.base, 'GET', '/trace/v1/regulator/nonconformities', { token: farm })).status).toBe(403);
    expect((await api(world.base, 'GET', '/trace/v1/regulator/holds', { token: farm })).status).toBe(403);
    expect((await fetch(`${world.base}/regulator`, { headers: { authorization: `Bearer ${farm}` } })).status).toBe(403);
    expect((await api(world.base, 'GET', '/trace/v1/regulator/nonconformities')).status).toBe(401);
    const page = await fetch(`${world.base}/regulator`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('action="/regulator/login"');
    expect((await api(world.base, 'GET', '/trace/v1/regulator/nonconformities?bucket=hour', { token: regulator() })).status).toBe(400);
  });
});
