/**
 * Names of analytes, species, matrices and products for the reasons people read (zh-CN, en).
 * An analyte code without an entry is shown as its code in both languages.
 */
import type { Bilingual, Matrix, ProductType, Species } from './types.ts';

export const ANALYTE_NAMES: Readonly<Record<string, Bilingual>> = {
  protein: { 'zh-CN': '蛋白质', en: 'protein' },
  fat: { 'zh-CN': '脂肪', en: 'fat' },
  total_bacterial_count: { 'zh-CN': '菌落总数', en: 'total bacterial count' },
  acidity: { 'zh-CN': '酸度', en: 'acidity' },
  aflatoxin_m1: { 'zh-CN': '黄曲霉毒素M1', en: 'aflatoxin M1' },
  melamine: { 'zh-CN': '三聚氰胺', en: 'melamine' },
  staphylococcus_aureus: { 'zh-CN': '金黄色葡萄球菌', en: 'Staphylococcus aureus' },
  salmonella: { 'zh-CN': '沙门氏菌', en: 'Salmonella' },
  freezing_point: { 'zh-CN': '冰点', en: 'freezing point' },
  relative_density: { 'zh-CN': '相对密度', en: 'relative density' },
  impurities: { 'zh-CN': '杂质度', en: 'impurities' },
  non_fat_solids: { 'zh-CN': '非脂乳固体', en: 'non-fat solids' },
  benzylpenicillin: { 'zh-CN': '青霉素（苄青霉素）', en: 'benzylpenicillin' },
  ampicillin: { 'zh-CN': '氨苄西林', en: 'ampicillin' },
  amoxicillin: { 'zh-CN': '阿莫西林', en: 'amoxicillin' },
  cloxacillin: { 'zh-CN': '氯唑西林', en: 'cloxacillin' },
  tetracyclines: { 'zh-CN': '四环素类', en: 'tetracyclines' },
  ceftiofur: { 'zh-CN': '头孢噻呋', en: 'ceftiofur' },
};

export const SPECIES_NAMES: Readonly<Record<Species, Bilingual>> = {
  cow: { 'zh-CN': '牛', en: 'cow' },
  goat: { 'zh-CN': '山羊', en: 'goat' },
  sheep: { 'zh-CN': '绵羊', en: 'sheep' },
  camel: { 'zh-CN': '骆驼', en: 'camel' },
  mare: { 'zh-CN': '马', en: 'mare' },
  yak: { 'zh-CN': '牦牛', en: 'yak' },
};

export const MATRIX_NAMES: Readonly<Record<Matrix, Bilingual>> = {
  raw_milk: { 'zh-CN': '生乳', en: 'raw milk' },
  in_process: { 'zh-CN': '在制品', en: 'product in process' },
  finished_product: { 'zh-CN': '成品', en: 'finished product' },
  environmental_swab: { 'zh-CN': '环境拭子', en: 'environmental swab' },
  water: { 'zh-CN': '水', en: 'water' },
};

export const PRODUCT_NAMES: Readonly<Record<ProductType, Bilingual>> = {
  pasteurised_milk: { 'zh-CN': '巴氏杀菌乳', en: 'pasteurised milk' },
  uht_milk: { 'zh-CN': '超高温灭菌乳', en: 'UHT milk' },
  yoghurt: { 'zh-CN': '酸奶', en: 'yoghurt' },
  fermented_milk: { 'zh-CN': '发酵乳', en: 'fermented milk' },
  milk_powder: { 'zh-CN': '乳粉', en: 'milk powder' },
  cheese: { 'zh-CN': '干酪', en: 'cheese' },
  butter: { 'zh-CN': '黄油', en: 'butter' },
  cream: { 'zh-CN': '稀奶油', en: 'cream' },
  milk_tofu: { 'zh-CN': '奶豆腐', en: 'milk tofu' },
  milk_skin: { 'zh-CN': '奶皮子', en: 'milk skin' },
  fermented_mare_milk: { 'zh-CN': '酸马奶', en: "fermented mare's milk" },
  other: { 'zh-CN': '其他乳制品', en: 'other dairy product' },
};

export function analyteName(analyte: string): Bilingual {
  return ANALYTE_NAMES[analyte] ?? { 'zh-CN': analyte, en: analyte };
}

export const SYMBOL = { lte: '≤', lt: '<', gte: '≥', gt: '>' } as const;
