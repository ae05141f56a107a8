import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPgLabelCache, ensureLotLabel } from '@milkchain/labels';
import { demoWorld } from '@milkchain/seeds';
import { runSteps } from '@milkchain/embedded';
import { clearBundles } from '@milkchain/trace-service';
import { startWorld, type World } from './support/world.ts';

/**
 * The consumer page in a real browser (Debian's Chromium through playwright-core): a lot's QR code
 * as milkchain prints it, decoded from its PNG by zbarimg, opens the page; the page verifies the
 * bundle itself; one changed byte of one upstream event in the ledger's table makes it fail and
 * name the event; a held and a recalled lot lead with their banner; the language switch works.
 * A screenshot of each state goes to test-results/screenshots/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ZBARIMG = '/usr/bin/zbarimg';
const RESOLVER_BASE = 'http://localhost:8080'; // what labels print; the test opens the path on its own server
const SHOTS = path.resolve(import.meta.dirname, '../test-results/screenshots');
const SCRIPT_BUDGET_GZIP = 100 * 1024;

let world: World;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install chromium`);
  if (!existsSync(ZBARIMG)) throw new Error(`zbarimg is missing at ${ZBARIMG}: apt-get install zbar-tools`);
  mkdirSync(SHOTS, { recursive: true });
  world = await startWorld(inject('postgresUrl'), 'page');
  await runSteps(world.base, world.tokens, demoWorld({ days: 3 }), undefined, () => world.composed.projected());
  await world.composed.projected();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright gives every launch a fresh, empty user-data-dir; these keep Chromium off the network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  // No request may leave the test server (no CDN, no web font).
  page.on('request', (req) => {
    if (!req.url().startsWith(world.base) && !req.url().startsWith('data:')) throw new Error(`the page requested ${req.url()}`);
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function lots(where: string): Promise<Array<{ subject: string; gtin: string; lot: string }>> {
  return (await world.composed.pool.query<{ subject: string; gtin: string; lot: string }>(`SELECT subject, gtin, lot FROM trace_nodes WHERE type = 'lot' AND ${where} ORDER BY created_at, subject`)).rows;
}

/** The lot's QR code, rendered as at packing, decoded by zbarimg: the path a phone would open. */
async function scannedPath(lot: { gtin: string; lot: string }): Promise<string> {
  const qr = await ensureLotLabel(createPgLabelCache(world.composed.pool), RESOLVER_BASE, { type: 'gtin', gtin: lot.gtin, lot: lot.lot });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'qr-')), 'lot.png');
  writeFileSync(file, qr.png);
  const decoded = execFileSync(ZBARIMG, ['--raw', '-q', file], { encoding: 'utf8' }).trim();
  expect(decoded).toBe(qr.uri);
  const url = new URL(decoded);
  expect(url.origin).toBe(RESOLVER_BASE);
  return url.pathname;
}

async function verifyState(): Promise<string> {
  await page.waitForSelector('#verify[data-state="verified"], #verify[data-state="failed"]', { timeout: 60_000 });
  return (await page.getAttribute('#verify', 'data-state'))!;
}

describe('the consumer page in Chromium', () => {
  let lotPath: string;
  let lot: { subject: string; gtin: string; lot: string };

  it('opens from the decoded QR code and says verified after the browser checked everything', async () => {
    lot = (await lots(`status <> 'held'`))[0]!;
    lotPath = await scannedPath(lot);
    const res = await page.goto(world.base + lotPath);
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await verifyState()).toBe('verified');
    expect(await page.textContent('#verify-status')).toContain('已验证');
    expect(await page.locator('#lab tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, '1-verified.png'), fullPage: true });

    // Budget: every script the page loads, compressed.
    const srcs = await page.$$eval('script[src]', (els) => els.map((e) => (e as HTMLScriptElement).src));
    let gz = 0;
    for (const src of srcs) {
      const r = await fetch(src);
      expect(r.headers.get('cache-control')).toMatch(/max-age=31536000/);
      gz += gzipSync(Buffer.from(await r.arrayBuffer()), { level: 9 }).length;
    }
    console.log(`consumer page script: ${srcs.length} file(s), ${gz} bytes gzip (budget ${SCRIPT_BUDGET_GZIP})`);
    expect(gz).toBeLessThan(SCRIPT_BUDGET_GZIP);
  });

  it('switches to English and back, and remembers the choice', async () => {
    await page.click('#lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('#verify-status').innerText()).toBe('Verified');
    await page.screenshot({ path: path.join(SHOTS, '2-english.png'), fullPage: true });
    await page.goto(world.base + lotPath); // no ?lang: the stored choice applies
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await verifyState();
    await page.click('#lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.locator('#verify-status').innerText()).toBe('已验证');
  });

  it('says verification failed, naming the event, after one byte of one upstream event changed in the ledger', async () => {
    const { pool } = world.composed;
    const bundle = (await (await fetch(`${world.base}/trace/v1/bundles${lotPath}`)).json()) as { entries: Array<{ id: string; event: { kind: string } }> };
    const victim = bundle.entries.find((e) => e.event.kind === 'milk.collected')!;
    const { rows } = await pool.query<{ canonical: Buffer }>(`SELECT canonical FROM ledger_entries WHERE id = decode($1, 'hex')`, [victim.id]);
    const original = rows[0]!.canonical;
    const changed = Buffer.from(original);
    const at = changed.indexOf('"volumeL":') + '"volumeL":'.length;
    changed[at] = changed[at] === 0x39 ? 0x38 : changed[at]! + 1; // one digit of the volume
    expect(changed.equals(original)).toBe(false);
    await pool.query(`UPDATE ledger_entries SET canonical = $2 WHERE id = decode($1, 'hex')`, [victim.id, changed]);
    await clearBundles(pool);
    try {
      await page.goto(world.base + lotPath);
      expect(await verifyState()).toBe('failed');
      const status = await page.locator('#verify').innerText();
      expect(status).toContain('验证失败');
      expect(status).toContain('milk.collected');
      expect(status).toContain(victim.id.slice(0, 12));
      expect(await page.getAttribute('#verify', 'data-failed-events')).toBe(victim.id);
      await page.screenshot({ path: path.join(SHOTS, '3-tampered.png'), fullPage: true });
    } finally {
      await pool.query(`UPDATE ledger_entries SET canonical = $2 WHERE id = decode($1, 'hex')`, [victim.id, original]);
      await clearBundles(pool);
    }
    await page.goto(world.base + lotPath);
    expect(await verifyState()).toBe('verified');
  });

  it('leads a held lot with its hold', async () => {
    // Every lot of the first days was held for its release tests and released by day 3; the page
    // shows those past holds quietly. A hold in force: the lot's trace status, as lot.held sets it.
    const held = (await lots(`subject <> '${lot.subject}'`))[0]!;
    const page1 = await (await fetch(world.base + `/trace/v1/bundles/01/${held.gtin}/10/${encodeURIComponent(held.lot)}`)).json() as { entries: Array<{ event: { kind: string; subject: string } }> };
    expect(page1.entries.some((e) => e.event.kind === 'lot.held' && e.event.subject === held.subject)).toBe(true);
    await world.composed.pool.query(`UPDATE trace_nodes SET status = 'held' WHERE subject = $1`, [held.subject]);
    await page.goto(world.base + (await scannedPath(held)));
    const first = page.locator('main > section').first();
    expect(await first.getAttribute('data-alert')).toBe('hold');
    expect(await first.getAttribute('data-active')).toBe('true');
    expect(await first.innerText()).toContain('暂扣中');
    expect(await page.locator('[data-alert="hold"]:not([data-active])').count()).toBeGreaterThan(0); // the released hold, further down
    expect(await verifyState()).toBe('verified');
    await page.screenshot({ path: path.join(SHOTS, '4-held.png'), fullPage: true });
  });

  it('leads a recalled lot with its recall', async () => {
    // No recall API yet: the lot's trace status says recalled (as the trace's fold sets it on recall.initiated).
    await world.composed.pool.query(`UPDATE trace_nodes SET status = 'recalled', recalled = true WHERE subject = $1`, [lot.subject]);
    await page.goto(world.base + lotPath);
    const first = page.locator('main > section').first();
    expect(await first.getAttribute('data-alert')).toBe('recall');
    expect(await first.innerText()).toContain('召回');
    await page.click('#lang-switch');
    expect(await first.innerText()).toContain('recalled');
    await page.screenshot({ path: path.join(SHOTS, '5-recalled.png'), fullPage: true });
    await page.click('#lang-switch');
  });
});
