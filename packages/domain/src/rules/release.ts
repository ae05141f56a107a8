/**
 * The release gate: which tests a batch needs before it may be released, and whether its lineage
 * has them. The lists are data (REQUIRED_TESTS); the analyte codes are those of the rule packs.
 */
import { refuse, type Refusal } from '../refusal.ts';
import { analyteName, PRODUCT_NAMES, SPECIES_NAMES } from './names.ts';
import { DEFAULT_PACKS, RULE_PACKS } from './packs.ts';
import type { Bilingual, ProductType, Species } from './types.ts';

export interface RequiredTests {
  /** Tests on the raw milk a batch is made from (or on the batch itself), by species. */
  readonly rawMilk: Readonly<Record<Species, readonly string[]>>;
  /** Tests on the finished batch, by product type. */
  readonly finishedProduct: Readonly<Partial<Record<ProductType, readonly string[]>>>;
  readonly note: Bilingual;
}

const COW = ['protein', 'fat', 'total_bacterial_count', 'aflatoxin_m1', 'melamine'] as const;
const OTHER = ['aflatoxin_m1', 'melamine', 'total_bacterial_count'] as const;
const PATHOGENS = ['staphylococcus_aureus', 'salmonella'] as const;

export const REQUIRED_TESTS: RequiredTests = Object.freeze({
  rawMilk: Object.freeze({ cow: COW, goat: OTHER, sheep: OTHER, camel: OTHER, mare: OTHER, yak: OTHER }),
  finishedProduct: Object.freeze({ pasteurised_milk: PATHOGENS, yoghurt: PATHOGENS, fermented_milk: PATHOGENS }),
  note: Object.freeze({
    'zh-CN': 'GB 19301-2010 的蛋白质、脂肪等成分指标针对牛乳和羊乳；放行时只对牛乳要求成分检测，其他畜种要求黄曲霉毒素M1、三聚氰胺和菌落总数。巴氏杀菌乳、发酵乳和酸奶成品另需金黄色葡萄球菌和沙门氏菌（GB 29921）。',
    en: 'The composition limits of GB 19301-2010 (protein, fat ...) are for cow and goat milk; release requires composition tests for cow milk only, and aflatoxin M1, melamine and total bacterial count for every species. Pasteurised milk, fermented milk and yoghurt also need Staphylococcus aureus and Salmonella on the finished batch (GB 29921).',
  }),
});

/** The analytes a batch of `productType` made from `species` milk needs, raw-milk tests first. */
export function requiredAnalytes(q: { productType: ProductType; species: Species }): readonly string[] {
  return [...REQUIRED_TESTS.rawMilk[q.species], ...(REQUIRED_TESTS.finishedProduct[q.productType] ?? [])];
}

const RELEASE_SOURCE = 'GB 19301-2010; GB 2761; 2011 notice No. 10; GB 29921';

function ruleOf(ruleId: string) {
  return RULE_PACKS.flatMap((p) => p.rules).find((r) => r.id === ruleId);
}

/**
 * Refuses release when any result in the batch's lineage is non-conformant
 * (`release.non-conformant`), or when a required analyte has no conformant result judged by a
 * rule of the confirmed packs for that analyte (`release.tests-missing`). `species` lists every
 * species whose milk went into the batch; each adds its tests. `results` are the results on the
 * batch and on everything it was made from, as the caller gathered them from the lineage: this
 * function does not know which subject is which, so that a raw-milk test covers every input of
 * that species is the caller's to ensure.
 */
export function checkRelease(q: {
  productType: ProductType;
  species: readonly Species[];
  results: ReadonlyArray<{ subject: string; analyte: string; verdict: 'conformant' | 'non_conformant'; ruleId: string }>;
}): Refusal | undefined {
  const bad = q.results.filter((r) => r.verdict === 'non_conformant');
  if (bad.length > 0) {
    const first = bad[0]!;
    const name = analyteName(first.analyte);
    const source = ruleOf(first.ruleId)?.source;
    return refuse(
      'rule',
      'release.non-conformant',
      `不能放行：${first.subject} 的${name['zh-CN']}检测不合格（${first.ruleId}）${bad.length > 1 ? `，另有 ${bad.length - 1} 项不合格` : ''}。不合格原料制成的产品须继续暂扣并按规定处置`,
      `Cannot release: ${first.subject} failed ${name.en} (${first.ruleId})${bad.length > 1 ? `, and ${bad.length - 1} more result(s) failed` : ''}. Products made from it stay on hold and must be dealt with as the rules require`,
      { ...(source === undefined ? {} : { source }), details: { nonConformant: bad.map((r) => ({ subject: r.subject, analyte: r.analyte, ruleId: r.ruleId })) } },
    );
  }
  if (q.species.length === 0) {
    return refuse(
      'rule',
      'release.species-unknown',
      '不能放行：不知道该批次的原料奶来自哪些畜种，无法确定必检项目',
      'Cannot release: the species of the milk this batch was made from is unknown, so the required tests cannot be determined',
      { source: RELEASE_SOURCE },
    );
  }
  const required = [...new Set(q.species.flatMap((species) => requiredAnalytes({ productType: q.productType, species })))];
  const counts = (r: (typeof q.results)[number]) =>
    r.verdict === 'conformant' && DEFAULT_PACKS.some((p) => p.rules.some((rule) => rule.id === r.ruleId && rule.analyte === r.analyte));
  const missing = required.filter((analyte) => !q.results.some((r) => r.analyte === analyte && counts(r)));
  if (missing.length === 0) return undefined;
  const names = missing.map(analyteName);
  const product = PRODUCT_NAMES[q.productType];
  const species = q.species.map((s) => SPECIES_NAMES[s]);
  return refuse(
    'rule',
    'release.tests-missing',
    `不能放行：${species.map((s) => s['zh-CN']).join('、')}乳制${product['zh-CN']}还缺少合格的检测结果：${names.map((n) => n['zh-CN']).join('、')}。请先送检并录入结果`,
    `Cannot release: ${product.en} from ${species.map((s) => s.en).join(', ')} milk still lacks a conformant result for ${names.map((n) => n.en).join(', ')}. Have them tested and record the results first`,
    { source: RELEASE_SOURCE, details: { missing, required } },
  );
}
