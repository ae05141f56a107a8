// A fast generator of realistic, valid, correctly chained ledger events, for benchmarks and load
// tests. Unlike the demo world (world.ts + simulate.ts), it does not run the command schemas or
// the deciders per event: it builds the events directly, in the shapes the deciders produce, with
// `prev` and `inputs` set to the real ids of the events they point to. The unit test validates a
// sample with validateEvent and checks every chain link.
//
// The region is `hubs` copies of one supply chain, each with three cow farms, a collector, a
// processor, its intake lab, a carrier and a shop. Per hub and milking (twice a day): three
// collections → one load → reception → intake sample and six results → one batch (pasteurised
// milk, UHT or yoghurt in turn) → one lot (pasteurised milk and yoghurt: held, finished-product
// sample, pathogen results, released) → one shipment (dispatch, cold-chain report, receipt) →
// sales over three days: about the proportions of the demo world's processor chain.
import { judgeResult, isRefusal, type ProductType } from '@milkchain/domain';
import { eventIdFromBytes, utf8Encode, type LedgerEvent } from '@milkchain/ledger';
import { gln, gtin, sscc } from './orgs.ts';

export interface GenerateOptions {
  /** PRNG seed (default 1): the same seed and n give the same events, byte for byte. */
  seed?: number;
  /** Number of supply chains (default 100, i.e. 300 farms). */
  hubs?: number;
  /** First day, YYYY-MM-DD (default 2026-11-02); times are China Standard Time (+08:00). */
  start?: string;
}

export interface GeneratedEntry {
  id: string;
  event: LedgerEvent;
}

/** mulberry32: small, fast, deterministic; quality is plenty for demo numbers. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const CST = 8 * HOUR;

/** RFC 3339 in China Standard Time, e.g. 2026-11-02T06:10:00+08:00. */
export function cst(ms: number): string {
  return new Date(ms + CST).toISOString().slice(0, 19) + '+08:00';
}

function day(ms: number): string {
  return new Date(ms + CST).toISOString().slice(0, 10);
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

interface RuleRef {
  limit: { comparison: 'lte' | 'lt' | 'gte' | 'gt'; value: number; unit: string };
  rule: { pack: string; id: string; source: string };
}

/** The rule each generated result is judged by, looked up once (values are always conformant). */
function ruleFor(analyte: string, unit: string, matrix: 'raw_milk' | 'finished_product', productType?: ProductType): RuleRef {
  const j = judgeResult({ analyte, value: 0, unit, species: 'cow', matrix, ...(productType ? { productType } : {}) });
  if (isRefusal(j)) throw new Error(`no rule for ${analyte}: ${j.reason.en}`);
  return {
    limit: { comparison: j.limit.comparison, unit: j.limit.unit, value: j.limit.value },
    rule: { id: j.rule.id, pack: j.rule.pack, source: j.rule.source },
  };
}

interface IntakeTest {
  analyte: string;
  unit: string;
  method: string;
  value: (r: () => number) => number;
}

const INTAKE: readonly IntakeTest[] = [
  { analyte: 'protein', unit: 'g/100g', method: 'GB 5009.5-2016 凯氏定氮法 Kjeldahl', value: (r) => round(3.05 + r() * 0.35, 2) },
  { analyte: 'fat', unit: 'g/100g', method: 'GB 5009.6-2016 盖勃法 Gerber', value: (r) => round(3.55 + r() * 0.55, 2) },
  { analyte: 'acidity', unit: '°T', method: 'GB 5009.239-2016 滴定法 titration', value: (r) => round(13 + r() * 3.5, 1) },
  { analyte: 'total_bacterial_count', unit: 'CFU/mL', method: 'GB 4789.2-2022 平板计数 plate count', value: (r) => Math.round(40_000 + r() * 260_000) },
  { analyte: 'aflatoxin_m1', unit: 'µg/kg', method: 'GB 5009.24-2016 免疫亲和柱-HPLC', value: (r) => round(0.02 + r() * 0.2, 3) },
  { analyte: 'melamine', unit: 'mg/kg', method: 'GB/T 22388-2008 HPLC', value: (r) => round(r() * 0.08, 3) },
];

const PATHOGENS = [
  { analyte: 'staphylococcus_aureus', unit: 'CFU/25g', method: 'GB 4789.10-2016 定性检验 qualitative' },
  { analyte: 'salmonella', unit: 'CFU/25g', method: 'GB 4789.4-2016 定性检验 qualitative' },
] as const;

const PRODUCTS: ReadonlyArray<{
  productType: ProductType;
  name: string;
  unitSize: { value: number; unit: 'mL' | 'g' };
  shelfLifeDays: number;
  process: Array<Record<string, unknown>>;
  pathogens: boolean;
  yieldFactor: number;
}> = [
  {
    productType: 'pasteurised_milk',
    name: '鲜牛奶 Fresh pasteurised milk',
    unitSize: { unit: 'mL', value: 950 },
    shelfLifeDays: 7,
    process: [{ operation: 'standardisation' }, { operation: 'homogenisation', temperatureC: 65 }, { holdSeconds: 15, operation: 'pasteurisation', temperatureC: 75 }, { operation: 'cooling', temperatureC: 4 }],
    pathogens: true,
    yieldFactor: 0.985,
  },
  {
    productType: 'uht_milk',
    name: '纯牛奶 UHT whole milk',
    unitSize: { unit: 'mL', value: 250 },
    shelfLifeDays: 180,
    process: [{ operation: 'standardisation' }, { operation: 'homogenisation', temperatureC: 70 }, { holdSeconds: 4, operation: 'uht', temperatureC: 137 }],
    pathogens: false,
    yieldFactor: 0.98,
  },
  {
    productType: 'yoghurt',
    name: '原味酸奶 Plain yoghurt',
    unitSize: { unit: 'g', value: 200 },
    shelfLifeDays: 21,
    process: [{ operation: 'standardisation' }, { holdSeconds: 300, operation: 'pasteurisation', temperatureC: 90 }, { holdSeconds: 16_200, operation: 'fermentation', temperatureC: 42 }, { operation: 'cooling', temperatureC: 4 }],
    pathogens: true,
    yieldFactor: 1.04,
  },
];

interface Hub {
  n: number;
  farms: string[];
  farmGln: string[];
  collector: string;
  processor: string;
  processorGln: string;
  lab: string;
  carrier: string;
  shop: string;
  shopGln: string;
  prefix: string;
  /** Typical volume per milking of each farm, in litres. */
  herdL: number[];
}

function makeHub(n: number, rand: () => number): Hub {
  const id = String(n).padStart(4, '0');
  const prefix = '69' + String(10_000 + n).padStart(5, '0');
  return {
    n,
    farms: [0, 1, 2].map((f) => `org_gen_farm_${id}_${f}`),
    farmGln: [0, 1, 2].map((f) => gln(prefix, 100 + f)),
    collector: `org_gen_collector_${id}`,
    processor: `org_gen_dairy_${id}`,
    processorGln: gln(prefix, 1),
    lab: `org_gen_lab_${id}`,
    carrier: `org_gen_coldchain_${id}`,
    shop: `org_gen_shop_${id}`,
    shopGln: gln(prefix, 200),
    prefix,
    herdL: [0, 1, 2].map(() => Math.round(600 + rand() * 2400)),
  };
}

/**
 * Yields `n` events with their ids, in an order the ledger admits (every `prev` and `input` is
 * an earlier event). Deterministic for a given `n` and options.
 */
export function* generateEntries(n: number, opts: GenerateOptions = {}): Generator<GeneratedEntry> {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('n must be a non-negative integer');
  const rand = prng(opts.seed ?? 1);
  const hubCount = opts.hubs ?? 100;
  const startMs = Date.parse(`${opts.start ?? '2026-11-02'}T00:00:00+08:00`);
  if (!Number.isFinite(startMs)) throw new RangeError('start must be a date, YYYY-MM-DD');
  if (n === 0) return;
  const hubs = Array.from({ length: hubCount }, (_, i) => makeHub(i + 1, rand));
  const intakeRules = INTAKE.map((t) => ruleFor(t.analyte, t.unit, 'raw_milk'));
  const pathogenRules = new Map(
    PRODUCTS.filter((p) => p.pathogens).map((p) => [p.productType, PATHOGENS.map((t) => ruleFor(t.analyte, t.unit, 'finished_product', p.productType))]),
  );

  /** subject → id of its latest event. Subjects are dropped once nothing more will point at them. */
  const heads = new Map<string, string>();
  let emitted = 0;
  let ssccSerial = 0;

  // Speed: every object below is written with its keys in RFC 8785 order (UTF-16 code units) and
  // holds only strings, finite numbers, booleans and null, so JSON.stringify IS its canonical form
  // (RFC 8785 serialises strings and numbers as ECMAScript does). The unit test checks this
  // against the ledger's canonicalize for every kind; keep keys sorted when adding fields.
  function make(kind: string, org: string, subject: string, inputs: string[], at: number, data: Record<string, unknown>): GeneratedEntry {
    const event: LedgerEvent = { data, inputs, kind, kindVersion: 1, occurredAt: cst(at), org, prev: heads.get(subject) ?? null, subject, v: 1 };
    const id = eventIdFromBytes(utf8Encode(JSON.stringify(event)));
    heads.set(subject, id);
    return { id, event };
  }
  const head = (subject: string): string => heads.get(subject)!;

  for (let d = 0; ; d++) {
    const dayMs = startMs + d * 24 * HOUR;
    const ymd = day(dayMs).replaceAll('-', '');
    for (const hub of hubs) {
      for (const [m, milkingStartH] of [
        [0, 4.5],
        [1, 16.5],
      ] as const) {
        const t0 = dayMs + milkingStartH * HOUR;
        const slip = `JJD-${hub.prefix}-${ymd}-${m + 1}`;
        // Collections
        const collections: Array<{ subject: string; volumeL: number }> = [];
        for (const [f, farm] of hub.farms.entries()) {
          const volumeL = round(hub.herdL[f]! * (0.92 + rand() * 0.16), 1);
          const subject = `urn:milkchain:collection:${farm}:C${ymd}-${m === 0 ? 'AM' : 'PM'}`;
          collections.push({ subject, volumeL });
          yield make('milk.collected', farm, subject, [], t0 + 110 * MINUTE + f * 5 * MINUTE, {
            animalsExcluded: [],
            handoverSlipNo: `${slip}-${f + 1}`,
            milkingWindow: { end: cst(t0 + 90 * MINUTE), start: cst(t0) },
            species: 'cow',
            tankId: 'T1',
            tankTemperatureC: round(2.8 + rand() * 1.1, 1),
            volumeL,
          });
          if (++emitted >= n) return;
        }
        // Load: the collector takes every collection of this milking to the processor.
        const load = `urn:milkchain:load:${hub.collector}:L${ymd}-${m + 1}`;
        const loadedAt = t0 + 150 * MINUTE;
        const volumeL = round(collections.reduce((s, c) => s + c.volumeL, 0), 1);
        yield make(
          'milk.transported',
          hub.collector,
          load,
          collections.map((c) => head(c.subject)),
          loadedAt + 40 * MINUTE,
          {
            destination: { gln: hub.processorGln, org: hub.processor },
            handoverSlipNo: slip,
            loadedAt: cst(loadedAt),
            loadingTemperatureC: round(3 + rand() * 0.8, 1),
            readings: [
              { at: cst(loadedAt + 10 * MINUTE), temperatureC: round(3.2 + rand() * 0.6, 1) },
              { at: cst(loadedAt + 40 * MINUTE), temperatureC: round(3.4 + rand() * 0.6, 1) },
            ],
            vehicle: { permitNo: `蒙准运${hub.prefix}-${m + 1}`, plate: `蒙A·${String(hub.n).padStart(4, '0')}${m}` },
            volumeL,
          },
        );
        for (const c of collections) heads.delete(c.subject);
        if (++emitted >= n) return;
        const arrival = loadedAt + 70 * MINUTE;
        yield make('milk.received', hub.processor, load, [], arrival, {
          decision: 'accepted',
          handoverSlipNo: slip,
          sealIntact: true,
          silo: `SILO-0${(m % 4) + 1}`,
          temperatureC: round(3.6 + rand() * 0.8, 1),
          volumeL: round(volumeL * (0.996 + rand() * 0.003), 1),
        });
        if (++emitted >= n) return;
        // Intake sample and results.
        const sampleId = `S${ymd}-${hub.n}-${m + 1}`;
        const sample = `urn:milkchain:sample:${hub.lab}:${sampleId}`;
        yield make('sample.taken', hub.lab, sample, [head(load)], arrival + 10 * MINUTE, {
          matrix: 'raw_milk',
          purpose: 'intake',
          quantity: { unit: 'mL', value: 250 },
          sampleId,
          sampledFrom: load,
          temperatureC: round(3.8 + rand() * 0.5, 1),
        });
        if (++emitted >= n) return;
        for (const [i, test] of INTAKE.entries()) {
          const r = intakeRules[i]!;
          yield make('lab.result.recorded', hub.lab, sample, [], arrival + (40 + i * 5) * MINUTE, {
            analyte: test.analyte,
            limit: r.limit,
            method: test.method,
            rule: r.rule,
            sampleId,
            unit: r.limit.unit,
            value: test.value(rand),
            verdict: 'conformant',
          });
          if (++emitted >= n) return;
        }
        heads.delete(sample);
        // Batch and lot.
        const product = PRODUCTS[(d * 2 + m + hub.n) % PRODUCTS.length]!;
        const batchId = `B${ymd}-${m + 1}`;
        const batch = `urn:milkchain:batch:${hub.processor}:${batchId}`;
        const made = arrival + 3 * HOUR;
        const inputL = round(volumeL * 0.99, 1);
        const outputL = round(inputL * product.yieldFactor * (0.985 + rand() * 0.01), 1);
        yield make('batch.produced', hub.processor, batch, [head(load)], made, {
          batchId,
          inputs: [{ quantity: { unit: 'L', value: inputL }, subject: load }],
          line: `P${m + 1}`,
          output: { unit: product.unitSize.unit === 'g' ? 'kg' : 'L', value: outputL },
          process: product.process,
          productName: product.name,
          productType: product.productType,
        });
        heads.delete(load);
        if (++emitted >= n) return;
        const gtinCode = gtin(hub.prefix, 1 + PRODUCTS.indexOf(product));
        const lotCode = `${ymd.slice(2)}P${m + 1}`;
        const lot = `urn:milkchain:lot:${gtinCode}:${lotCode}`;
        const units = Math.floor((outputL * 1000) / product.unitSize.value);
        yield make('lot.packed', hub.processor, lot, [head(batch)], made + 90 * MINUTE, {
          bestBefore: day(made + product.shelfLifeDays * 24 * HOUR),
          gtin: gtinCode,
          lot: lotCode,
          productionDate: day(made),
          storage: product.productType === 'uht_milk' ? '常温 ambient' : '2–6 °C 冷藏',
          unitSize: product.unitSize,
          units,
        });
        if (++emitted >= n) return;
        let readyAt = made + 2 * HOUR;
        const rules = pathogenRules.get(product.productType);
        if (rules) {
          // Positive release, as in the demo world: held until the pathogen results are in.
          yield make('lot.held', hub.processor, lot, [], made + 95 * MINUTE, {
            detail: '等待放行检验结果 awaiting release test results',
            gtin: gtinCode,
            lot: lotCode,
            reason: 'pending_results',
          });
          if (++emitted >= n) return;
          const fid = `F${ymd}-${hub.n}-${m + 1}`;
          const fsample = `urn:milkchain:sample:${hub.lab}:${fid}`;
          yield make('sample.taken', hub.lab, fsample, [head(batch)], made + 2 * HOUR, {
            matrix: 'finished_product',
            purpose: 'release',
            quantity: { unit: product.unitSize.unit === 'g' ? 'g' : 'mL', value: 5 * 25 },
            sampleId: fid,
            sampledFrom: batch,
            temperatureC: 4,
          });
          if (++emitted >= n) return;
          // Pathogen tests take about two days (enrichment and confirmation).
          for (const [i, test] of PATHOGENS.entries()) {
            const r = rules[i]!;
            yield make('lab.result.recorded', hub.lab, fsample, [], made + (44 + i) * HOUR, {
              analyte: test.analyte,
              limit: r.limit,
              method: test.method,
              rule: r.rule,
              sampleId: fid,
              unit: r.limit.unit,
              value: 0,
              verdict: 'conformant',
            });
            if (++emitted >= n) return;
          }
          heads.delete(fsample);
          readyAt = made + 46 * HOUR;
          yield make('lot.released', hub.processor, lot, [], readyAt, {
            detail: `放行检验合格 release tests conformant (${sampleId}, ${fid})`,
            gtin: gtinCode,
            lot: lotCode,
            reason: 'results_conformant',
          });
          if (++emitted >= n) return;
        }
        heads.delete(batch);
        // Shipment to the hub's shop.
        const ssccCode = sscc(hub.prefix, ++ssccSerial);
        const shipment = `urn:milkchain:shipment:${ssccCode}`;
        const dispatchedAt = readyAt + 2 * HOUR;
        const lines = [{ gtin: gtinCode, lot: lotCode, quantity: units }];
        yield make('shipment.dispatched', hub.processor, shipment, [head(lot)], dispatchedAt, {
          carrier: hub.carrier,
          from: { gln: hub.processorGln, org: hub.processor },
          lots: lines,
          sscc: ssccCode,
          temperatureRange: { maxC: 6, minC: 2 },
          to: { gln: hub.shopGln, org: hub.shop },
        });
        if (++emitted >= n) return;
        const readings = [0, 30, 60, 90].map((min) => ({ at: cst(dispatchedAt + (10 + min) * MINUTE), temperatureC: round(3 + rand() * 1.5, 1) }));
        yield make('shipment.temperature.reported', hub.carrier, shipment, [], dispatchedAt + 110 * MINUTE, {
          excursions: [],
          range: { maxC: 6, minC: 2 },
          readings,
          sensor: `TL-${hub.n}-${m}`,
          sscc: ssccCode,
        });
        if (++emitted >= n) return;
        yield make('shipment.received', hub.shop, shipment, [], dispatchedAt + 120 * MINUTE, {
          at: { gln: hub.shopGln, org: hub.shop },
          condition: 'intact',
          lots: lines,
          sscc: ssccCode,
          temperatureC: round(3.5 + rand(), 1),
        });
        heads.delete(shipment);
        if (++emitted >= n) return;
        // Sales over the next three days, most on the first.
        let left = units;
        for (let s = 0; s < 3 && left > 0; s++) {
          const sold = s === 2 ? left : Math.max(1, Math.floor(left * (0.45 + rand() * 0.2)));
          left -= sold;
          yield make('lot.sold', hub.shop, lot, [], dispatchedAt + (14 + 24 * s) * HOUR, {
            day: day(dispatchedAt + (14 + 24 * s) * HOUR),
            gtin: gtinCode,
            lot: lotCode,
            store: { gln: hub.shopGln, org: hub.shop },
            units: sold,
          });
          if (++emitted >= n) return;
        }
        heads.delete(lot);
      }
    }
  }
}

/** `n` valid, chained events (see generateEntries). */
export function* generateEvents(n: number, opts: GenerateOptions = {}): Generator<LedgerEvent> {
  for (const entry of generateEntries(n, opts)) yield entry.event;
}
