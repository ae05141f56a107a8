/**
 * The rule packs milkchain ships: GB limits as data. A lab result is judged by these (see
 * judge.ts), never by a verdict someone types in. Changing a value means a new pack version, so
 * that every recorded result keeps naming the limits it was judged by (`${id}:${version}`).
 */
import type { Matrix, RulePack } from './types.ts';

const VERSION = '2026.1';
const GB_19301 = 'GB 19301-2010';
const GB_2761 = 'GB 2761';
const NOTICE_2011_10 = '卫生部等5部门公告2011年第10号 (2011 notice No. 10)';
const GB_29921 = 'GB 29921';
const GB_31650 = 'GB 31650-2019';

const RAW: readonly Matrix[] = ['raw_milk'];
const MILK_AND_PRODUCTS: readonly Matrix[] = ['raw_milk', 'in_process', 'finished_product'];
const PRODUCTS: readonly Matrix[] = ['in_process', 'finished_product'];

/** GB 19301-2010 sets composition (protein, fat, acidity) for cow and goat milk only. */
const COMPOSITION_NOTE = 'GB 19301-2010 gives composition limits for cow and goat milk; other species have no national composition limit.';

export const GB_RAW_MILK: RulePack = {
  id: 'gb-raw-milk',
  version: VERSION,
  title: { 'zh-CN': '生乳（GB 19301-2010）', en: 'Raw milk (GB 19301-2010)' },
  confirmed: true,
  rules: [
    {
      id: 'raw-milk.protein.min',
      analyte: 'protein',
      unit: 'g/100g',
      comparison: 'gte',
      limit: 2.8,
      source: GB_19301,
      title: { 'zh-CN': '生乳蛋白质 ≥ 2.8 g/100g', en: 'Raw milk protein ≥ 2.8 g/100g' },
      species: ['cow', 'goat'],
      matrices: RAW,
      note: COMPOSITION_NOTE,
    },
    {
      id: 'raw-milk.fat.min',
      analyte: 'fat',
      unit: 'g/100g',
      comparison: 'gte',
      limit: 3.1,
      source: GB_19301,
      title: { 'zh-CN': '生乳脂肪 ≥ 3.1 g/100g', en: 'Raw milk fat ≥ 3.1 g/100g' },
      species: ['cow', 'goat'],
      matrices: RAW,
      note: COMPOSITION_NOTE,
    },
    {
      id: 'raw-milk.total-bacterial-count.max',
      analyte: 'total_bacterial_count',
      unit: 'CFU/mL',
      comparison: 'lte',
      limit: 2_000_000,
      source: GB_19301,
      title: { 'zh-CN': '生乳菌落总数 ≤ 2×10⁶ CFU/mL', en: 'Raw milk total bacterial count ≤ 2×10⁶ CFU/mL' },
      matrices: RAW,
      note: 'GB 19301-2010 covers raw milk of healthy dairy animals; the count applies whatever the species.',
    },
    {
      id: 'raw-milk.acidity.cow.min',
      analyte: 'acidity',
      unit: '°T',
      comparison: 'gte',
      limit: 12,
      source: GB_19301,
      title: { 'zh-CN': '生牛乳酸度 ≥ 12 °T', en: 'Raw cow milk acidity ≥ 12 °T' },
      species: ['cow'],
      matrices: RAW,
      note: 'Cow milk acidity must lie within 12–18 °T: a low value suggests added water or alkali.',
    },
    {
      id: 'raw-milk.acidity.cow.max',
      analyte: 'acidity',
      unit: '°T',
      comparison: 'lte',
      limit: 18,
      source: GB_19301,
      title: { 'zh-CN': '生牛乳酸度 ≤ 18 °T', en: 'Raw cow milk acidity ≤ 18 °T' },
      species: ['cow'],
      matrices: RAW,
      note: 'Cow milk acidity must lie within 12–18 °T: a high value suggests souring.',
    },
    {
      id: 'raw-milk.acidity.goat.min',
      analyte: 'acidity',
      unit: '°T',
      comparison: 'gte',
      limit: 6,
      source: GB_19301,
      title: { 'zh-CN': '生羊乳酸度 ≥ 6 °T', en: 'Raw goat milk acidity ≥ 6 °T' },
      species: ['goat'],
      matrices: RAW,
      note: 'The standard says 羊乳; only goat is listed until sheep milk is confirmed to fall under the same range.',
    },
    {
      id: 'raw-milk.acidity.goat.max',
      analyte: 'acidity',
      unit: '°T',
      comparison: 'lte',
      limit: 13,
      source: GB_19301,
      title: { 'zh-CN': '生羊乳酸度 ≤ 13 °T', en: 'Raw goat milk acidity ≤ 13 °T' },
      species: ['goat'],
      matrices: RAW,
      note: 'The standard says 羊乳; only goat is listed until sheep milk is confirmed to fall under the same range.',
    },
  ],
};

export const GB_CONTAMINANTS: RulePack = {
  id: 'gb-contaminants',
  version: VERSION,
  title: { 'zh-CN': '污染物与三聚氰胺限量', en: 'Contaminants and melamine' },
  confirmed: true,
  rules: [
    {
      id: 'contaminants.aflatoxin-m1.max',
      analyte: 'aflatoxin_m1',
      unit: 'µg/kg',
      comparison: 'lte',
      limit: 0.5,
      source: GB_2761,
      title: { 'zh-CN': '乳及乳制品黄曲霉毒素M1 ≤ 0.5 µg/kg', en: 'Aflatoxin M1 in milk and milk products ≤ 0.5 µg/kg' },
      matrices: MILK_AND_PRODUCTS,
      note: 'For milk powder the limit is on the raw milk equivalent: record the value converted back to milk.',
    },
    {
      id: 'contaminants.melamine.max',
      analyte: 'melamine',
      unit: 'mg/kg',
      comparison: 'lte',
      limit: 2.5,
      source: NOTICE_2011_10,
      title: { 'zh-CN': '三聚氰胺 ≤ 2.5 mg/kg（生乳、液态乳及婴儿配方食品以外的食品）', en: 'Melamine ≤ 2.5 mg/kg (raw and liquid milk, any food other than infant formula)' },
      matrices: MILK_AND_PRODUCTS,
      infantFormula: false,
    },
    {
      id: 'contaminants.melamine.infant-formula.max',
      analyte: 'melamine',
      unit: 'mg/kg',
      comparison: 'lte',
      limit: 1,
      source: NOTICE_2011_10,
      title: { 'zh-CN': '婴儿配方食品三聚氰胺 ≤ 1 mg/kg', en: 'Melamine in infant formula ≤ 1 mg/kg' },
      matrices: PRODUCTS,
      infantFormula: true,
      note: 'Applies when the query says infantFormula: true; batch.produced v1 has no infant-formula product type.',
    },
  ],
};

const PATHOGEN_NOTE = 'n=5, c=0, m=0 per 25 g (mL): none of five sample units may contain it. Record the count found in 25 g (mL), 0 when not detected.';
const PATHOGEN_PRODUCTS = ['pasteurised_milk', 'yoghurt', 'fermented_milk'] as const;

export const GB_PATHOGENS: RulePack = {
  id: 'gb-pathogens',
  version: VERSION,
  title: { 'zh-CN': '致病菌限量（GB 29921）', en: 'Pathogens (GB 29921)' },
  confirmed: true,
  rules: [
    {
      id: 'pathogens.staphylococcus-aureus.absent',
      analyte: 'staphylococcus_aureus',
      unit: 'CFU/25g',
      comparison: 'lte',
      limit: 0,
      source: GB_29921,
      title: { 'zh-CN': '巴氏杀菌乳、调制乳、发酵乳：金黄色葡萄球菌 25 g(mL) 中不得检出', en: 'Pasteurised, modified, fermented milk: no Staphylococcus aureus in 25 g (mL)' },
      matrices: ['finished_product'],
      products: PATHOGEN_PRODUCTS,
      note: PATHOGEN_NOTE,
    },
    {
      id: 'pathogens.salmonella.absent',
      analyte: 'salmonella',
      unit: 'CFU/25g',
      comparison: 'lte',
      limit: 0,
      source: GB_29921,
      title: { 'zh-CN': '巴氏杀菌乳、调制乳、发酵乳：沙门氏菌 25 g(mL) 中不得检出', en: 'Pasteurised, modified, fermented milk: no Salmonella in 25 g (mL)' },
      matrices: ['finished_product'],
      products: PATHOGEN_PRODUCTS,
      note: PATHOGEN_NOTE,
    },
  ],
};

const VET_DRUG_NOTE = 'GB 31650-2019 sets limits per drug and animal species; check the species this value covers.';

function vetDrug(analyte: string, drug: { 'zh-CN': string; en: string }, limit: number): RulePack['rules'][number] {
  return {
    id: `vet-drugs.${analyte}.max`,
    analyte,
    unit: 'µg/kg',
    comparison: 'lte',
    limit,
    source: GB_31650,
    title: { 'zh-CN': `生乳${drug['zh-CN']}残留 ≤ ${limit} µg/kg`, en: `${drug.en} residue in raw milk ≤ ${limit} µg/kg` },
    matrices: RAW,
    note: VET_DRUG_NOTE,
  };
}

/**
 * Values commonly cited but not yet checked against the standards' texts. Shipped so a lab can
 * choose them explicitly (`packs: RULE_PACKS`), never used by default.
 */
export const UNCONFIRMED_RAW_MILK: RulePack = {
  id: 'unconfirmed-raw-milk',
  version: VERSION,
  title: { 'zh-CN': '生乳理化指标与兽药残留（待核实）', en: 'Raw milk physical limits and veterinary drug residues (unconfirmed)' },
  confirmed: false,
  caveat: {
    'zh-CN': '本规则包中的限量尚未与标准原文（GB 19301-2010、GB 31650-2019）逐条核对，核实之前不得作为默认判定依据。',
    en: 'The limits in this pack have not yet been checked against the text of the standards (GB 19301-2010, GB 31650-2019); check them before they are used as defaults.',
  },
  rules: [
    {
      id: 'raw-milk.freezing-point.min',
      analyte: 'freezing_point',
      unit: '°C',
      comparison: 'gte',
      limit: -0.56,
      source: GB_19301,
      title: { 'zh-CN': '生乳冰点 ≥ −0.560 °C', en: 'Raw milk freezing point ≥ −0.560 °C' },
      species: ['cow', 'goat'],
      matrices: RAW,
      note: 'Range −0.560 to −0.500 °C; the standard measures it some hours after milking and may limit it to some breeds: check.',
    },
    {
      id: 'raw-milk.freezing-point.max',
      analyte: 'freezing_point',
      unit: '°C',
      comparison: 'lte',
      limit: -0.5,
      source: GB_19301,
      title: { 'zh-CN': '生乳冰点 ≤ −0.500 °C', en: 'Raw milk freezing point ≤ −0.500 °C' },
      species: ['cow', 'goat'],
      matrices: RAW,
      note: 'A freezing point above −0.500 °C suggests added water.',
    },
    {
      id: 'raw-milk.relative-density.min',
      analyte: 'relative_density',
      unit: '20°C/4°C',
      comparison: 'gte',
      limit: 1.027,
      source: GB_19301,
      title: { 'zh-CN': '生乳相对密度（20 °C/4 °C）≥ 1.027', en: 'Raw milk relative density (20 °C/4 °C) ≥ 1.027' },
      species: ['cow', 'goat'],
      matrices: RAW,
    },
    {
      id: 'raw-milk.impurities.max',
      analyte: 'impurities',
      unit: 'mg/kg',
      comparison: 'lte',
      limit: 4,
      source: GB_19301,
      title: { 'zh-CN': '生乳杂质度 ≤ 4.0 mg/kg', en: 'Raw milk impurities ≤ 4.0 mg/kg' },
      species: ['cow', 'goat'],
      matrices: RAW,
    },
    {
      id: 'raw-milk.non-fat-solids.min',
      analyte: 'non_fat_solids',
      unit: 'g/100g',
      comparison: 'gte',
      limit: 8.1,
      source: GB_19301,
      title: { 'zh-CN': '生乳非脂乳固体 ≥ 8.1 g/100g', en: 'Raw milk non-fat solids ≥ 8.1 g/100g' },
      species: ['cow', 'goat'],
      matrices: RAW,
    },
    vetDrug('benzylpenicillin', { 'zh-CN': '青霉素（苄青霉素）', en: 'Benzylpenicillin' }, 4),
    vetDrug('ampicillin', { 'zh-CN': '氨苄西林', en: 'Ampicillin' }, 4),
    vetDrug('amoxicillin', { 'zh-CN': '阿莫西林', en: 'Amoxicillin' }, 4),
    vetDrug('cloxacillin', { 'zh-CN': '氯唑西林', en: 'Cloxacillin' }, 30),
    vetDrug('tetracyclines', { 'zh-CN': '四环素类', en: 'Tetracyclines' }, 100),
    vetDrug('ceftiofur', { 'zh-CN': '头孢噻呋', en: 'Ceftiofur' }, 100),
  ],
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Every pack shipped, confirmed or not. */
export const RULE_PACKS: readonly RulePack[] = deepFreeze([GB_RAW_MILK, GB_CONTAMINANTS, GB_PATHOGENS, UNCONFIRMED_RAW_MILK]);

/** The confirmed packs: what results are judged by unless a caller chooses otherwise. */
export const DEFAULT_PACKS: readonly RulePack[] = Object.freeze(RULE_PACKS.filter((p) => p.confirmed));

/** `${id}:${version}`, as recorded in lab.result.recorded data.rule.pack. */
export function packRef(pack: Pick<RulePack, 'id' | 'version'>): string {
  return `${pack.id}:${pack.version}`;
}
