// The demo world: three weeks of the dairy chain in Inner Mongolia, as the commands people and
// machines send (COMMANDS in @milkchain/domain), in the order they must run. simulate.ts runs it
// through the deciders; the embedded mode can send the same steps to the real services.
//
// Who does what (orgs.ts):
// - three cow farms (土默特左旗, 和林格尔县, 托克托县) milk twice a day; the 赛罕 collection station
//   takes each milking to the Hohhot processor (青城乳业) under a handover slip (交接单);
// - the 乌拉特后旗 camel cooperative milks once a day and trucks its milk to the processor's camel
//   line itself (it holds a purchase licence and a transport permit);
// - the 乌审旗 herders' cooperative brings the evening and morning milk to the 乌审旗 workshop,
//   which makes 奶豆腐 and 奶皮子; the third-party lab tests its milk;
// - the processor makes pasteurised milk and yoghurt from the morning load, UHT milk from the
//   evening load, pasteurised camel milk from the camel load; its intake lab tests every load;
//   finished pasteurised milk and yoghurt wait for their pathogen results before release;
// - the cold-chain carrier takes released lots to the shops in 呼和浩特 and 鄂尔多斯 and reports
//   the temperatures on the way; the shops (and the workshop's own counter) sell every day.
// Incidents: three treatments whose animals are kept out of the collections during withdrawal;
// one evening load whose aflatoxin M1 screening (ELISA, 0.46 µg/kg) passed but whose weekly
// confirmation by the accredited lab (HPLC) found 0.62 µg/kg (limit 0.5, GB 2761) after the UHT
// lot made from it was packed: the result holds that lot, which is never released, shipped or
// sold; one shipment with a real cold-chain excursion (7.4 °C).
//
// Positive release: a lot whose required results are not all in when it is packed (pasteurised
// milk, yoghurt and camel milk wait about a day for their pathogen tests) is put on hold
// (pending_results) when packed and released when they are; UHT milk and the workshop's products
// are packed after their raw-milk results and ship without a hold.
import { ORG, PROCESSOR_GS1_PREFIX, DEPLOYMENT_GS1_PREFIX, sscc, worldOrg, worldProduct, type WorldProduct } from './orgs.ts';
import { prng } from './generate.ts';

export interface WorldStep {
  /** occurredAt of the command, RFC 3339 in China Standard Time. */
  at: string;
  org: string;
  /** A COMMANDS name. */
  command: string;
  body: Record<string, unknown>;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;
const CST = 8 * HOUR;

const iso = (ms: number) => new Date(ms + CST).toISOString().slice(0, 19) + '+08:00';
const dateOf = (ms: number) => new Date(ms + CST).toISOString().slice(0, 10);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Farm {
  org: string;
  species: 'cow' | 'camel';
  /** Litres per milking (camels: per day; they are milked once). */
  litres: number;
  milkings: ReadonlyArray<'AM' | 'PM'>;
  tags: string[];
  herd: string;
  breed: string;
  division: string;
}

/** Ear tags: the national 15-digit code for cattle (species digit 2, county division, serial); camels are outside that scheme and carry the cooperative's own tags. */
function cattleTags(division: string, first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `2${division}${String(first + i).padStart(8, '0')}`);
}

const FARMS: readonly Farm[] = [
  { org: ORG.farmTumed, species: 'cow', litres: 2400, milkings: ['AM', 'PM'], tags: cattleTags('150121', 1201, 160), herd: 'TM-H01', breed: '荷斯坦牛 Holstein', division: '150121' },
  { org: ORG.farmHoringer, species: 'cow', litres: 1650, milkings: ['AM', 'PM'], tags: cattleTags('150123', 3301, 110), herd: 'HL-H02', breed: '荷斯坦牛 Holstein', division: '150123' },
  { org: ORG.farmTogtoh, species: 'cow', litres: 980, milkings: ['AM', 'PM'], tags: cattleTags('150122', 501, 70), herd: 'TK-COOP', breed: '西门塔尔牛 Simmental (dual-purpose)', division: '150122' },
  { org: ORG.uxinHerders, species: 'cow', litres: 190, milkings: ['AM', 'PM'], tags: cattleTags('150626', 88, 24), herd: 'WS-H01', breed: '三河牛 Sanhe cattle', division: '150626' },
  {
    org: ORG.camelCoop,
    species: 'camel',
    litres: 150,
    milkings: ['AM'],
    tags: Array.from({ length: 40 }, (_, i) => `WLT-C-${String(i + 1).padStart(4, '0')}`),
    herd: 'GOBI-RED-01',
    breed: '戈壁红驼 Gobi red Bactrian camel',
    division: '150825',
  },
];

const farmOf = (org: string) => FARMS.find((f) => f.org === org)!;

/** The three withdrawal incidents: which animal, when, with what. */
const TREATMENTS = [
  {
    org: ORG.farmTumed,
    tagIndex: 16,
    day: 3,
    hour: 8,
    withdrawalHours: 96,
    drug: { name: '氯唑西林钠乳房注入剂 Cloxacillin intramammary', activeSubstance: 'cloxacillin', approvalNo: '兽药字(2021)150012345' },
    dose: { value: 1, unit: 'tube' },
    route: 'intramammary',
    diagnosis: '临床型乳房炎，左后乳区 clinical mastitis, left hind quarter',
  },
  {
    org: ORG.farmHoringer,
    tagIndex: 42,
    day: 6,
    hour: 9,
    withdrawalHours: 72,
    drug: { name: '注射用青霉素钠 Benzylpenicillin sodium for injection', activeSubstance: 'benzylpenicillin', approvalNo: '兽药字(2020)150067890' },
    dose: { value: 20, unit: 'mL' },
    route: 'intramuscular',
    diagnosis: '产后子宫炎 post-partum metritis',
  },
  {
    org: ORG.uxinHerders,
    tagIndex: 5,
    day: 10,
    hour: 10,
    withdrawalHours: 168,
    drug: { name: '土霉素注射液 Oxytetracycline injection', activeSubstance: 'oxytetracycline', approvalNo: '兽药字(2019)150023456' },
    dose: { value: 25, unit: 'mL' },
    route: 'intramuscular',
    diagnosis: '腐蹄病 foot rot',
  },
] as const;

interface Withdrawal {
  earTag: string;
  species: 'cow' | 'camel';
  from: number;
  until: number;
}

/** What the processor and the workshop hold, lot by lot, to decide shipments and sales. */
interface LotState {
  product: WorldProduct;
  lot: string;
  units: number;
  /** Units still at the maker. */
  atMaker: number;
  /** When it may ship: released, or packed with every result in; null while on hold. */
  readyAt: number | null;
  /** Held by a failed result: never ships or sells again. */
  held: boolean;
  shippedOut: boolean;
  bestBefore: string;
}

interface ShopLot {
  product: WorldProduct;
  lot: string;
  units: number;
  bestBefore: string;
}

export interface WorldOptions {
  /** First day, YYYY-MM-DD (default 2026-11-02): the organisations register their herds, the first milking is that evening. */
  start?: string;
  /** Number of days (default 21). */
  days?: number;
  /** PRNG seed (default 2026). */
  seed?: number;
}

/** The day (0-based) whose evening load carries the aflatoxin M1 incident, the screening and the confirmed value (µg/kg). */
export const AFM1_INCIDENT = { day: 9, screening: 0.46, value: 0.62 } as const;
/** The day whose Hohhot shipment has the cold-chain excursion. */
export const EXCURSION_DAY = 12;

export function demoWorld(opts: WorldOptions = {}): WorldStep[] {
  const days = opts.days ?? 21;
  const start = Date.parse(`${opts.start ?? '2026-11-02'}T00:00:00+08:00`);
  if (!Number.isFinite(start)) throw new RangeError('start must be a date, YYYY-MM-DD');
  const rand = prng(opts.seed ?? 2026);
  const between = (lo: number, hi: number, digits = 1) => round(lo + rand() * (hi - lo), digits);

  const steps: Array<WorldStep & { t: number; seq: number }> = [];
  let seq = 0;
  const add = (t: number, org: string, command: string, body: Record<string, unknown>) => {
    steps.push({ at: iso(t), org, command, body: { ...body, occurredAt: iso(t) }, t, seq: seq++ });
  };

  const place = (org: string) => ({ org, gln: worldOrg(org).gln!, name: worldOrg(org).name['zh-CN'] });

  // ---- Day 0: herds registered ------------------------------------------------------------
  for (const farm of FARMS) {
    farm.tags.forEach((earTag, i) => {
      const t = start + 9 * HOUR + FARMS.indexOf(farm) * 20 * MINUTE + i * 5_000;
      const female = farm.species === 'camel' || i % 40 !== 39; // a few bulls on the cow farms
      add(t, farm.org, 'animal.register', {
        earTag,
        species: farm.species,
        breed: farm.breed,
        sex: female ? 'female' : 'male',
        birthDate: dateOf(start - (700 + Math.floor(rand() * 1800)) * DAY),
        herd: farm.herd,
        origin: i % 7 === 0 ? 'purchased' : 'born_on_farm',
        ...(worldOrg(farm.org).gln ? { premisesGln: worldOrg(farm.org).gln } : {}),
      });
    });
  }

  // ---- Treatments -------------------------------------------------------------------------
  const withdrawals: Withdrawal[] = [];
  for (const tr of TREATMENTS) {
    if (tr.day >= days) continue;
    const farm = farmOf(tr.org);
    const earTag = farm.tags[tr.tagIndex]!;
    const at = start + tr.day * DAY + tr.hour * HOUR;
    const until = at + tr.withdrawalHours * HOUR;
    withdrawals.push({ earTag, species: farm.species, from: at, until });
    add(at + 10 * MINUTE, tr.org, 'animal.treat', {
      earTag,
      drug: tr.drug,
      dose: tr.dose,
      route: tr.route,
      diagnosis: tr.diagnosis,
      administeredAt: iso(at),
      milkWithdrawalUntil: iso(until),
      meatWithdrawalUntil: iso(until + 10 * DAY),
    });
  }
  // The rule (GB 19301-2010, checkWithdrawal): an animal is excluded when its withdrawal ends
  // after the milking window starts and began before the window ended.
  const excludedFrom = (org: string, window: { start: number; end: number }) =>
    withdrawals
      .filter((w) => farmOf(org).tags.includes(w.earTag) && w.until > window.start && w.from < window.end)
      .map((w) => ({ earTag: w.earTag, reason: 'withdrawal' }));

  // ---- Milk, day by day ----------------------------------------------------------------------
  const lots: LotState[] = [];
  const hohhotShelf: ShopLot[] = [];
  const ordosShelf: ShopLot[] = [];
  let processorSscc = 0;
  let workshopSscc = 0;
  /** Uxin evening collection waiting in the cooperative's tank for the next morning's run. */
  let uxinEvening: { subject: string; volumeL: number; slip: string } | undefined;

  const collect = (farm: Farm, day: number, milking: 'AM' | 'PM') => {
    const base = start + day * DAY;
    const windowStart = base + (milking === 'AM' ? (farm.species === 'camel' ? 5.5 : 4.5) : 16.5) * HOUR;
    const windowEnd = windowStart + 90 * MINUTE;
    const collectionId = `${dateOf(base).replaceAll('-', '')}-${milking}`;
    const volumeL = round(farm.litres * (milking === 'AM' ? 1.04 : 0.96) * (0.94 + rand() * 0.12));
    const excluded = excludedFrom(farm.org, { start: windowStart, end: windowEnd });
    const t = windowEnd + (10 + FARMS.indexOf(farm) * 5) * MINUTE;
    add(t, farm.org, 'collection.record', {
      collectionId,
      species: farm.species,
      volumeL,
      tankTemperatureC: between(3.1, 3.9),
      milkingWindow: { start: iso(windowStart), end: iso(windowEnd) },
      animalsExcluded: excluded,
      handoverSlipNo: `JJD-${farm.division}-${collectionId}`,
      tankId: 'T1',
    });
    return { subject: `urn:milkchain:collection:${farm.org}:${collectionId}`, volumeL, t, slip: `JJD-${farm.division}-${collectionId}` };
  };

  /** A load: recorded on arrival with its readings, then received. Returns the arrival volume. */
  const haul = (q: {
    org: string;
    loadId: string;
    collections: Array<{ subject: string; volumeL: number; slip: string }>;
    loadedAt: number;
    minutes: number;
    plate: string;
    permitNo: string;
    slip: string;
    to: string;
  }) => {
    const volumeL = round(q.collections.reduce((s, c) => s + c.volumeL, 0));
    const readings = [];
    for (let m = 10; m < q.minutes; m += Math.max(20, Math.floor(q.minutes / 6))) readings.push({ at: iso(q.loadedAt + m * MINUTE), temperatureC: between(3.4, 4.3) });
    const arrival = q.loadedAt + q.minutes * MINUTE;
    add(arrival - 5 * MINUTE, q.org, 'load.record', {
      loadId: q.loadId,
      collections: q.collections.map((c) => ({ subject: c.subject, volumeL: c.volumeL, handoverSlipNo: c.slip })),
      vehicle: { plate: q.plate, permitNo: q.permitNo },
      handoverSlipNo: q.slip,
      loadedAt: iso(q.loadedAt),
      loadingTemperatureC: between(3.3, 3.9),
      destination: place(q.to),
      readings,
    });
    const arrivedL = round(volumeL * (0.996 + rand() * 0.003));
    add(arrival + 10 * MINUTE, q.to, 'reception.record', {
      load: `urn:milkchain:load:${q.org}:${q.loadId}`,
      handoverSlipNo: q.slip,
      volumeL: arrivedL,
      temperatureC: between(3.9, 4.6),
      sealIntact: true,
      decision: 'accepted',
      remarks: '铅封完好，感官正常 seal intact, sensory normal',
      silo: q.to === ORG.processor ? `SILO-0${1 + Math.floor(rand() * 4)}` : 'VAT-1',
    });
    return { load: `urn:milkchain:load:${q.org}:${q.loadId}`, arrivedL, arrival: arrival + 10 * MINUTE };
  };

  const COW_INTAKE = [
    { analyte: 'protein', unit: 'g/100g', method: 'GB 5009.5-2016 凯氏定氮法 Kjeldahl', value: () => between(3.05, 3.35, 2) },
    { analyte: 'fat', unit: 'g/100g', method: 'GB 5009.6-2016 盖勃法 Gerber', value: () => between(3.65, 4.05, 2) },
    { analyte: 'acidity', unit: '°T', method: 'GB 5009.239-2016 滴定法 titration', value: () => between(13.5, 16.5) },
    { analyte: 'total_bacterial_count', unit: 'CFU/mL', method: 'GB 4789.2-2022 平板计数 plate count', value: () => Math.round(between(60_000, 420_000, 0) / 1000) * 1000 },
    { analyte: 'aflatoxin_m1', unit: 'µg/kg', method: 'GB 5009.24-2016 酶联免疫 ELISA', value: () => between(0.03, 0.18, 3) },
    { analyte: 'melamine', unit: 'mg/kg', method: 'GB/T 22388-2008 HPLC', value: () => between(0, 0.05, 3) },
  ];
  const CAMEL_INTAKE = COW_INTAKE.filter((t) => ['total_bacterial_count', 'aflatoxin_m1', 'melamine'].includes(t.analyte));
  const PATHOGENS = [
    { analyte: 'staphylococcus_aureus', unit: 'CFU/25g', method: 'GB 4789.10-2016 定性检验 qualitative' },
    { analyte: 'salmonella', unit: 'CFU/25g', method: 'GB 4789.4-2016 定性检验 qualitative' },
  ];

  /** Samples the object and records the tests; the AFM1 test may be left out (sent for confirmation). */
  const test = (q: {
    lab: string;
    sampleId: string;
    of: string;
    at: number;
    matrix: 'raw_milk' | 'finished_product';
    purpose: 'intake' | 'release' | 'third_party';
    tests: Array<{ analyte: string; unit: string; method: string; value?: () => number }>;
    resultsAfter: number;
    certificateNo?: string;
  }) => {
    add(q.at, q.lab, 'sample.take', {
      sampleId: q.sampleId,
      sampledFrom: q.of,
      matrix: q.matrix,
      purpose: q.purpose,
      quantity: q.matrix === 'raw_milk' ? { value: 250, unit: 'mL' } : { value: 125, unit: 'mL' },
      temperatureC: between(3.8, 4.4),
      sealNo: `F-${q.sampleId.replace(/[^0-9]/g, '').slice(-7)}`,
    });
    q.tests.forEach((t, i) => {
      add(q.at + q.resultsAfter + i * 5 * MINUTE, q.lab, 'result.record', {
        sampleId: q.sampleId,
        sampledFrom: q.of,
        analyte: t.analyte,
        value: t.value ? t.value() : 0,
        unit: t.unit,
        method: t.method,
        ...(q.certificateNo ? { certificateNo: q.certificateNo } : {}),
      });
    });
    return q.at + q.resultsAfter + q.tests.length * 5 * MINUTE;
  };

  const pack = (q: { key: string; batchId: string; made: number; input: { subject: string; value: number }; outValue: number; process: unknown[]; line: string; org: string }) => {
    const product = worldProduct(q.key);
    const solid = product.unitSize.unit === 'g' || product.unitSize.unit === 'kg';
    add(q.made, q.org, 'batch.produce', {
      batchId: q.batchId,
      productType: product.productType,
      productName: product.name,
      inputs: [{ subject: q.input.subject, quantity: { value: q.input.value, unit: 'L' } }],
      output: { value: q.outValue, unit: solid ? 'kg' : 'L' },
      process: q.process,
      line: q.line,
    });
    const perUnit = product.unitSize.unit === 'mL' || product.unitSize.unit === 'g' ? product.unitSize.value / 1000 : product.unitSize.value;
    const units = Math.floor(q.outValue / perUnit);
    const lotCode = q.batchId.replace(/^[A-Z]+-/, '').replaceAll('-', '');
    const packed = q.made + 90 * MINUTE;
    const bestBefore = dateOf(packed + product.shelfLifeDays * DAY);
    add(packed, q.org, 'lot.pack', {
      batch: `urn:milkchain:batch:${q.org}:${q.batchId}`,
      gtin: product.gtin,
      lot: lotCode,
      units,
      unitSize: product.unitSize,
      productionDate: dateOf(q.made),
      bestBefore,
      storage: product.storage,
    });
    const state: LotState = { product, lot: lotCode, units, atMaker: units, readyAt: null, held: false, shippedOut: false, bestBefore };
    lots.push(state);
    return { state, batch: `urn:milkchain:batch:${q.org}:${q.batchId}`, packed };
  };

  /** Packed before its results are in: on hold until they are, then released. */
  const holdUntilTested = (l: LotState, org: string, heldAt: number, releaseAt: number, detail: string) => {
    add(heldAt, org, 'lot.hold', { gtin: l.product.gtin, lot: l.lot, reason: 'pending_results', detail: '等待放行检验结果 awaiting release test results' });
    add(releaseAt, org, 'lot.release', { gtin: l.product.gtin, lot: l.lot, reason: 'results_conformant', detail });
    l.readyAt = releaseAt;
  };

  const ship = (q: { from: string; to: string; at: number; minutes: number; lines: Array<{ l: LotState; quantity: number }>; excursion?: boolean; serial: string }) => {
    const shipment = q.serial;
    add(q.at, q.from, 'shipment.dispatch', {
      sscc: shipment,
      lots: q.lines.map(({ l, quantity }) => ({ gtin: l.product.gtin, lot: l.lot, quantity })),
      from: { gln: worldOrg(q.from).gln!, name: `${worldOrg(q.from).name['zh-CN']} 成品库 finished goods store` },
      to: place(q.to),
      carrier: ORG.carrier,
      temperatureRange: { minC: 2, maxC: 6 },
      vehiclePlate: '蒙A·L5521',
    });
    for (const { l, quantity } of q.lines) l.atMaker -= quantity;
    const readings = [];
    for (let m = 10; m <= q.minutes; m += 30) {
      let c = between(3.2, 4.8);
      // The excursion: the reefer unit stopped on the way; two readings above 6 °C (about an hour).
      if (q.excursion && m >= 70 && m <= 100) c = m === 70 ? 6.9 : 7.4;
      readings.push({ at: iso(q.at + m * MINUTE), temperatureC: c });
    }
    const reported = q.at + (q.minutes + 10) * MINUTE;
    add(reported, ORG.carrier, 'shipment.temperature.report', {
      sscc: shipment,
      sensor: `TL-88-00${4217 + (q.to === ORG.shopOrdos ? 1 : 0)}`,
      range: { minC: 2, maxC: 6 },
      readings,
    });
    add(reported + 10 * MINUTE, q.to, 'shipment.receive', {
      sscc: shipment,
      lots: q.lines.map(({ l, quantity }) => ({ gtin: l.product.gtin, lot: l.lot, quantity })),
      at: { gln: worldOrg(q.to).gln!, name: worldOrg(q.to).name['zh-CN'] },
      condition: q.excursion ? 'temperature_breach' : 'intact',
      temperatureC: q.excursion ? 6.4 : between(3.6, 4.6),
      remarks: q.excursion
        ? '途中冷机故障，超温约 1 小时（峰值 7.4 °C）：本单货物隔离存放，待供货方评估 reefer stopped on the way, about 1 h above 6 °C (peak 7.4 °C): goods set aside pending the supplier’s assessment'
        : '到货验收合格 checked on arrival',
    });
    // Goods from a temperature breach stay off the shelf (set aside, not sold).
    if (!q.excursion) {
      const shelf = q.to === ORG.shopHohhot ? hohhotShelf : ordosShelf;
      for (const { l, quantity } of q.lines) shelf.push({ product: l.product, lot: l.lot, units: quantity, bestBefore: l.bestBefore });
    }
  };

  const sell = (org: string, shelf: ShopLot[], at: number) => {
    const today = dateOf(at);
    for (const item of shelf) {
      if (item.units <= 0 || item.bestBefore < today) continue;
      const share = item.product.productType === 'uht_milk' ? 0.12 : item.product.productType === 'milk_tofu' || item.product.productType === 'milk_skin' ? 0.2 : 0.35;
      // The last few units go together (a shelf is cleared, not sold one pack a day).
      const sold = item.units < 24 ? item.units : Math.min(item.units, Math.max(1, Math.round(item.units * share * (0.8 + rand() * 0.4))));
      item.units -= sold;
      add(at + shelf.indexOf(item) * MINUTE, org, 'sale.record', {
        gtin: item.product.gtin,
        lot: item.lot,
        units: sold,
        day: today,
        store: { gln: worldOrg(org).gln!, name: worldOrg(org).name['zh-CN'] },
      });
    }
  };

  const PASTEURISE = [
    { operation: 'standardisation', note: '脂肪标准化至 3.6% fat standardised to 3.6%' },
    { operation: 'homogenisation', temperatureC: 65 },
    { operation: 'pasteurisation', temperatureC: 75, holdSeconds: 15 },
    { operation: 'cooling', temperatureC: 4 },
  ];
  const UHT = [
    { operation: 'standardisation' },
    { operation: 'homogenisation', temperatureC: 70 },
    { operation: 'uht', temperatureC: 137, holdSeconds: 4 },
    { operation: 'cooling', temperatureC: 25, note: '无菌灌装 aseptic filling' },
  ];
  const YOGHURT = [
    { operation: 'standardisation', note: '添加白砂糖 6% sugar added' },
    { operation: 'homogenisation', temperatureC: 65 },
    { operation: 'pasteurisation', temperatureC: 90, holdSeconds: 300 },
    { operation: 'fermentation', temperatureC: 42, holdSeconds: 16_200, note: '保加利亚乳杆菌、嗜热链球菌 L. bulgaricus, S. thermophilus' },
    { operation: 'cooling', temperatureC: 4 },
  ];
  const CAMEL = [
    { operation: 'pasteurisation', temperatureC: 72, holdSeconds: 15, note: '驼乳低温巴氏杀菌 low-temperature pasteurisation of camel milk' },
    { operation: 'cooling', temperatureC: 4 },
  ];
  const MILK_TOFU = [
    { operation: 'fermentation', temperatureC: 25, holdSeconds: 43_200, note: '自然发酵酸化 natural souring' },
    { operation: 'coagulation', temperatureC: 70, holdSeconds: 1_800, note: '文火熬煮、揉制 slow heating and kneading' },
    { operation: 'other', note: '入模压制成型 pressed in wooden moulds' },
    { operation: 'cooling', temperatureC: 4 },
  ];
  const MILK_SKIN = [
    { operation: 'pasteurisation', temperatureC: 85, holdSeconds: 1_800, note: '慢火熬煮并反复扬奶 slow boiling while ladling' },
    { operation: 'cooling', temperatureC: 8, holdSeconds: 43_200, note: '静置结皮 resting overnight for the skin to set' },
    { operation: 'other', note: '揭皮、对折晾干 lifted, folded and dried' },
  ];

  const eveningLoads = new Map<number, { load: string; arrivedL: number; sampleId: string; failsAt?: number }>();

  for (let day = 0; day < days; day++) {
    const base = start + day * DAY;
    const ymd = dateOf(base).replaceAll('-', '');
    const ymdShort = ymd.slice(2);

    // Morning: shipments of released lots to the shops.
    if (day >= 2) {
      const released = (org: string, before: number) =>
        lots.filter((l) => l.product.org === org && !l.held && l.readyAt !== null && l.readyAt < before && l.atMaker > 0 && l.bestBefore > dateOf(base + 2 * DAY));
      const share: Record<string, number> = { pasteurised: 0.45, yoghurt: 0.3, uht: 0.1, camel: 0.5 };
      const hohhot = released(ORG.processor, base + 5 * HOUR).filter((l) => !l.shippedOut);
      if (hohhot.length > 0) {
        const lines = hohhot.map((l) => ({ l, quantity: Math.max(1, Math.floor(l.units * share[l.product.key]!)) }));
        ship({ from: ORG.processor, to: ORG.shopHohhot, at: base + 5.5 * HOUR, minutes: 150, lines, excursion: day === EXCURSION_DAY, serial: sscc(PROCESSOR_GS1_PREFIX, ++processorSscc) });
        if (day % 2 === 1) {
          const ordosLines = hohhot.map((l) => ({ l, quantity: Math.max(1, Math.floor(l.units * 0.25)) })).filter((x) => x.quantity <= x.l.atMaker);
          ship({ from: ORG.processor, to: ORG.shopOrdos, at: base + 5 * HOUR, minutes: 240, lines: ordosLines, serial: sscc(PROCESSOR_GS1_PREFIX, ++processorSscc) });
        }
        for (const l of hohhot) l.shippedOut = true;
      }
      if (day % 3 === 2) {
        const fromWorkshop = released(ORG.workshop, base + 6 * HOUR).filter((l) => !l.shippedOut && l.atMaker > 1);
        if (fromWorkshop.length > 0) {
          const lines = fromWorkshop.map((l) => ({ l, quantity: Math.max(1, Math.floor(l.atMaker * 0.6)) }));
          ship({ from: ORG.workshop, to: ORG.shopOrdos, at: base + 6.5 * HOUR, minutes: 150, lines, serial: sscc(DEPLOYMENT_GS1_PREFIX, ++workshopSscc) });
          for (const l of fromWorkshop) l.shippedOut = true;
        }
      }
    }

    // Morning milking and loads (the first milking is on the evening of day 0).
    if (day >= 1) {
      const am = FARMS.filter((f) => f.org !== ORG.uxinHerders && f.species === 'cow').map((f) => collect(f, day, 'AM'));
      const uxinAm = collect(farmOf(ORG.uxinHerders), day, 'AM');
      const camel = collect(farmOf(ORG.camelCoop), day, 'AM');

      // Collector: morning load to the processor.
      const amLoad = haul({
        org: ORG.collector,
        loadId: `L${ymd}-AM`,
        collections: am,
        loadedAt: base + 7 * HOUR,
        minutes: 80,
        plate: '蒙A·D3217',
        permitNo: '蒙准运150105-0031',
        slip: `JJD-150105-${ymd}-01`,
        to: ORG.processor,
      });
      const intakeDone = test({
        lab: ORG.intakeLab,
        sampleId: `IN-${ymd}-01`,
        of: amLoad.load,
        at: amLoad.arrival + 10 * MINUTE,
        matrix: 'raw_milk',
        purpose: 'intake',
        tests: COW_INTAKE,
        resultsAfter: 40 * MINUTE,
      });
      // Pasteurised milk and yoghurt from the morning load.
      const pastIn = round(amLoad.arrivedL * 0.55);
      const yogIn = round(amLoad.arrivedL * 0.3);
      const past = pack({ key: 'pasteurised', org: ORG.processor, batchId: `HD-P1-${ymdShort}`, made: intakeDone + 60 * MINUTE, input: { subject: amLoad.load, value: pastIn }, outValue: round(pastIn * 0.985), process: PASTEURISE, line: 'P1' });
      const yog = pack({ key: 'yoghurt', org: ORG.processor, batchId: `HD-Y1-${ymdShort}`, made: intakeDone + 90 * MINUTE, input: { subject: amLoad.load, value: yogIn }, outValue: round(yogIn * 1.06 * 1.03), process: YOGHURT, line: 'Y1' });
      for (const [i, made] of [past, yog].entries()) {
        const doneAt = test({ lab: ORG.intakeLab, sampleId: `RL-${ymd}-${i === 0 ? 'P1' : 'Y1'}`, of: made.batch, at: made.packed + 30 * MINUTE, matrix: 'finished_product', purpose: 'release', tests: PATHOGENS, resultsAfter: 24 * HOUR });
        holdUntilTested(made.state, ORG.processor, made.packed + 5 * MINUTE, doneAt + 30 * MINUTE, `放行检验合格：进厂检验 IN-${ymd}-01，成品致病菌 RL-${ymd}-${i === 0 ? 'P1' : 'Y1'} / release tests conformant`);
      }

      // Camel milk: the cooperative's own van, about four hours to Hohhot.
      const camelLoad = haul({
        org: ORG.camelCoop,
        loadId: `C${ymd}`,
        collections: [camel],
        loadedAt: base + 8 * HOUR,
        minutes: 270,
        plate: '蒙L·C0825',
        permitNo: '蒙准运150825-0012',
        slip: `JJD-150825-${ymd}-01`,
        to: ORG.processor,
      });
      const camelDone = test({ lab: ORG.intakeLab, sampleId: `IN-${ymd}-C1`, of: camelLoad.load, at: camelLoad.arrival + 10 * MINUTE, matrix: 'raw_milk', purpose: 'intake', tests: CAMEL_INTAKE, resultsAfter: 40 * MINUTE });
      const camelIn = round(camelLoad.arrivedL * 0.98);
      const camelLot = pack({ key: 'camel', org: ORG.processor, batchId: `HD-C1-${ymdShort}`, made: camelDone + 45 * MINUTE, input: { subject: camelLoad.load, value: camelIn }, outValue: round(camelIn * 0.985), process: CAMEL, line: 'C1' });
      const camelReleaseTests = test({ lab: ORG.intakeLab, sampleId: `RL-${ymd}-C1`, of: camelLot.batch, at: camelLot.packed + 20 * MINUTE, matrix: 'finished_product', purpose: 'release', tests: PATHOGENS, resultsAfter: 24 * HOUR });
      holdUntilTested(camelLot.state, ORG.processor, camelLot.packed + 5 * MINUTE, camelReleaseTests + 20 * MINUTE, `放行检验合格：进厂检验 IN-${ymd}-C1，成品致病菌 RL-${ymd}-C1 / release tests conformant`);

      // 乌审旗: last evening's and this morning's milk to the workshop, tested by the third-party lab.
      const uxinCollections = uxinEvening ? [uxinEvening, uxinAm] : [uxinAm];
      const uxinLoad = haul({
        org: ORG.uxinHerders,
        loadId: `W${ymd}`,
        collections: uxinCollections,
        loadedAt: base + 7 * HOUR,
        minutes: 40,
        plate: '蒙K·W0626',
        permitNo: '蒙准运150626-0009',
        slip: `JJD-150626-${ymd}-01`,
        to: ORG.workshop,
      });
      const uxinDone = test({ lab: ORG.thirdPartyLab, sampleId: `CTI-${ymd}-W1`, of: uxinLoad.load, at: uxinLoad.arrival + 5 * MINUTE, matrix: 'raw_milk', purpose: 'third_party', tests: COW_INTAKE, resultsAfter: 4 * HOUR, certificateNo: `CTI-2026-${ymd.slice(4)}06` });
      const tofuIn = round(uxinLoad.arrivedL * 0.78);
      const skinIn = round(uxinLoad.arrivedL * 0.2);
      const tofu = pack({ key: 'milk_tofu', org: ORG.workshop, batchId: `ND-${ymdShort}`, made: base + 15 * HOUR, input: { subject: uxinLoad.load, value: tofuIn }, outValue: round(tofuIn * 0.16), process: MILK_TOFU, line: 'ND' });
      const skin = pack({ key: 'milk_skin', org: ORG.workshop, batchId: `NP-${ymdShort}`, made: base + 15.5 * HOUR, input: { subject: uxinLoad.load, value: skinIn }, outValue: round(skinIn * 0.1), process: MILK_SKIN, line: 'NP' });
      // Packed after the raw-milk results (the only tests these products need) are in.
      for (const made of [tofu, skin]) made.state.readyAt = Math.max(uxinDone, made.packed) + 10 * MINUTE;

      // UHT from last evening's load (kept overnight in the silo).
      const evening = eveningLoads.get(day - 1);
      if (evening) {
        const uhtIn = round(evening.arrivedL * 0.98);
        const uht = pack({ key: 'uht', org: ORG.processor, batchId: `HD-U1-${ymdShort}`, made: base + 10 * HOUR, input: { subject: evening.load, value: uhtIn }, outValue: round(uhtIn * 0.99), process: UHT, line: 'U1' });
        // The intake results of the evening load are in before UHT is packed: it needs no hold.
        uht.state.readyAt = uht.packed + 10 * MINUTE;
        // The confirmation of the incident load fails after packing: the result holds this lot.
        if (evening.failsAt !== undefined && evening.failsAt > uht.packed) uht.state.held = true;
      }
    }

    // Evening milking; the collector's evening load.
    const pm = FARMS.filter((f) => f.org !== ORG.uxinHerders && f.species === 'cow').map((f) => collect(f, day, 'PM'));
    uxinEvening = collect(farmOf(ORG.uxinHerders), day, 'PM');
    const pmLoad = haul({
      org: ORG.collector,
      loadId: `L${ymd}-PM`,
      collections: pm,
      loadedAt: base + 19 * HOUR,
      minutes: 80,
      plate: '蒙A·D3217',
      permitNo: '蒙准运150105-0031',
      slip: `JJD-150105-${ymd}-02`,
      to: ORG.processor,
    });
    const sampleId = `IN-${ymd}-02`;
    const incident = day === AFM1_INCIDENT.day;
    const intake = incident ? COW_INTAKE.map((t) => (t.analyte === 'aflatoxin_m1' ? { ...t, value: () => AFM1_INCIDENT.screening } : t)) : COW_INTAKE;
    test({ lab: ORG.intakeLab, sampleId, of: pmLoad.load, at: pmLoad.arrival + 10 * MINUTE, matrix: 'raw_milk', purpose: 'intake', tests: intake, resultsAfter: 40 * MINUTE });
    let failsAt: number | undefined;
    if (incident) {
      // The weekly confirmation sample, sealed at reception and sent to the accredited lab.
      failsAt = test({
        lab: ORG.thirdPartyLab,
        sampleId: `CTI-${ymd}-AFM1`,
        of: pmLoad.load,
        at: pmLoad.arrival + 20 * MINUTE,
        matrix: 'raw_milk',
        purpose: 'third_party',
        tests: [{ analyte: 'aflatoxin_m1', unit: 'µg/kg', method: 'GB 5009.24-2016 免疫亲和柱净化-HPLC-荧光 immunoaffinity HPLC-FLD', value: () => AFM1_INCIDENT.value }],
        resultsAfter: 19 * HOUR,
        certificateNo: `CTI-2026-${ymd.slice(4)}17`,
      });
    }
    eveningLoads.set(day, { load: pmLoad.load, arrivedL: pmLoad.arrivedL, sampleId, ...(failsAt === undefined ? {} : { failsAt }) });

    // Sales: the workshop's counter, then the shops in the evening.
    sellAtCounter(base + 19 * HOUR);
    sell(ORG.shopHohhot, hohhotShelf, base + 21 * HOUR);
    sell(ORG.shopOrdos, ordosShelf, base + 21.5 * HOUR);
  }

  /** The workshop's own counter sells a little of what it still holds of its released lots. */
  function sellAtCounter(at: number) {
    const today = dateOf(at);
    const onHand = lots.filter((l) => l.product.org === ORG.workshop && !l.held && l.readyAt !== null && l.readyAt < at && l.atMaker > 0 && l.bestBefore >= today);
    onHand.forEach((l, i) => {
      const sold = l.atMaker < 6 ? l.atMaker : Math.min(l.atMaker, Math.max(1, Math.round(l.atMaker * 0.08 * (0.8 + rand() * 0.4))));
      l.atMaker -= sold;
      add(at + i * MINUTE, ORG.workshop, 'sale.record', { gtin: l.product.gtin, lot: l.lot, units: sold, day: today, store: { gln: worldOrg(ORG.workshop).gln!, name: '加工坊门市 workshop counter' } });
    });
  }

  steps.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return steps.map(({ at, org, command, body }) => ({ at, org, command, body }));
}
