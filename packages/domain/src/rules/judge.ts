/**
 * Judging a lab result by the rule packs. The verdict is computed here and recorded with the
 * rule and limit it was computed from; lab.result.recorded v1 refuses a verdict that contradicts
 * its value and limit, so the comparisons below are the same exact ones (no tolerance).
 */
import { refuse, type Refusal } from '../refusal.ts';
import { MATRIX_NAMES, PRODUCT_NAMES, SPECIES_NAMES, analyteName } from './names.ts';
import { DEFAULT_PACKS, packRef } from './packs.ts';
import type { Comparison, Matrix, ProductType, Rule, RulePack, Species } from './types.ts';

export interface RuleQuery {
  analyte: string;
  species: Species;
  matrix: Matrix;
  productType?: ProductType;
  /** The product is infant formula (default false): selects the infant-formula limits. */
  infantFormula?: boolean;
}

export interface Judgement {
  verdict: 'conformant' | 'non_conformant';
  rule: { pack: string; id: string; source: string };
  /** `unit` is the unit as the caller spelled it, so that it equals the result's recorded unit. */
  limit: { comparison: Comparison; value: number; unit: string };
}

const MEETS: Record<Comparison, (value: number, limit: number) => boolean> = {
  lte: (v, l) => v <= l,
  lt: (v, l) => v < l,
  gte: (v, l) => v >= l,
  gt: (v, l) => v > l,
};

export function meetsLimit(value: number, comparison: Comparison, limit: number): boolean {
  return MEETS[comparison](value, limit);
}

/**
 * Units are compared as written, after Unicode NFKC and without spaces: `µg/kg` (micro sign) and
 * `μg/kg` (Greek mu), `℃` and `°C`, `g/100 g` and `g/100g` are the same unit. Nothing is converted.
 */
export function sameUnit(a: string, b: string): boolean {
  const norm = (u: string) => u.normalize('NFKC').replace(/\s+/gu, '');
  return norm(a) === norm(b);
}

function applies(rule: Rule, q: RuleQuery): boolean {
  if (rule.analyte !== q.analyte) return false;
  if (rule.species && !rule.species.includes(q.species)) return false;
  if (rule.matrices && !rule.matrices.includes(q.matrix)) return false;
  if (rule.products && (q.productType === undefined || !rule.products.includes(q.productType))) return false;
  if (rule.infantFormula !== undefined && rule.infantFormula !== (q.infantFormula ?? false)) return false;
  return true;
}

/** Every rule of `packs` that applies to the query, in pack order then rule order. */
export function findRules(packs: readonly RulePack[], q: RuleQuery): Array<{ pack: RulePack; rule: Rule }> {
  return packs.flatMap((pack) => pack.rules.filter((rule) => applies(rule, q)).map((rule) => ({ pack, rule })));
}

/**
 * The first rule of `packs` that applies to the query. An analyte limited on both sides (acidity,
 * freezing point) has two rules: use findRules to see both, or judgeResult to judge by both.
 */
export function findRule(packs: readonly RulePack[], q: RuleQuery): { pack: RulePack; rule: Rule } | undefined {
  return findRules(packs, q)[0];
}

function describe(q: RuleQuery): { 'zh-CN': string; en: string } {
  const s = SPECIES_NAMES[q.species];
  const m = MATRIX_NAMES[q.matrix];
  const p = q.productType === undefined ? undefined : PRODUCT_NAMES[q.productType];
  return {
    'zh-CN': `${s['zh-CN']}乳${p ? `（${p['zh-CN']}）` : ''}${m['zh-CN']}`,
    en: `${s.en} milk ${m.en}${p ? ` (${p.en})` : ''}`,
  };
}

/**
 * Judges one result by the rules that apply to it (DEFAULT_PACKS unless `packs` is given). With
 * several (a range given as a minimum and a maximum), the verdict is non-conformant when any of
 * them is not met, naming the first such rule; a conformant result names the rule whose limit is
 * nearest its value, the one that bounds it. Refuses an analyte no rule covers for this species,
 * matrix and product, a unit other than the rule's, and a value that is not a finite number.
 * `path`: JSON pointer of the object holding analyte, value and unit in the command ('' for the
 * body itself); refusals then name `${path}/analyte`, `${path}/unit` or `${path}/value`.
 */
export function judgeResult(q: RuleQuery & { packs?: readonly RulePack[]; value: number; unit: string; path?: string }): Judgement | Refusal {
  const at = (field: string) => (q.path === undefined ? {} : { path: `${q.path}/${field}` });
  const name = analyteName(q.analyte);
  if (!Number.isFinite(q.value)) {
    return refuse('rule', 'lab.value.invalid', `${name['zh-CN']}的结果值必须是有限数值`, `The ${name.en} value must be a finite number`, {
      ...at('value'),
      details: { analyte: q.analyte, value: String(q.value) },
    });
  }
  const packs = q.packs ?? DEFAULT_PACKS;
  const matches = findRules(packs, q);
  if (matches.length === 0) {
    const what = describe(q);
    const elsewhere = packs.some((p) => p.rules.some((r) => r.analyte === q.analyte));
    const packList = packs.map(packRef).join(', ') || '—';
    return refuse(
      'rule',
      'lab.analyte.unknown',
      elsewhere
        ? `规则包（${packList}）中没有适用于${what['zh-CN']}的“${name['zh-CN']}”限量：请检查检测项目、样品类型或畜种`
        : `规则包（${packList}）中没有检测项目“${q.analyte}”：请使用规则包中的项目代码（如 protein、aflatoxin_m1）`,
      elsewhere
        ? `No rule in the packs (${packList}) limits ${name.en} in ${what.en}: check the analyte, the sample's matrix or the species`
        : `The packs (${packList}) have no analyte "${q.analyte}": use an analyte code from the packs (e.g. protein, aflatoxin_m1)`,
      { ...at('analyte'), details: { analyte: q.analyte, species: q.species, matrix: q.matrix, productType: q.productType, packs: packs.map(packRef) } },
    );
  }
  const usable = matches.filter((m) => sameUnit(m.rule.unit, q.unit));
  if (usable.length === 0) {
    const expected = [...new Set(matches.map((m) => m.rule.unit))];
    const list = expected.join(' / ');
    return refuse(
      'rule',
      'lab.unit.mismatch',
      `${name['zh-CN']}的结果单位必须是 ${list}，而不是 ${q.unit}：请按规则的单位换算后再录入`,
      `${name.en} must be given in ${list}, not ${q.unit}: convert the value to the rule's unit`,
      { ...at('unit'), details: { analyte: q.analyte, unit: q.unit, expected } },
    );
  }
  const failed = usable.find((m) => !meetsLimit(q.value, m.rule.comparison, m.rule.limit));
  const chosen =
    failed ??
    usable.reduce((best, m) => (Math.abs(q.value - m.rule.limit) < Math.abs(q.value - best.rule.limit) ? m : best));
  return {
    verdict: failed ? 'non_conformant' : 'conformant',
    rule: { pack: packRef(chosen.pack), id: chosen.rule.id, source: chosen.rule.source },
    limit: { comparison: chosen.rule.comparison, value: chosen.rule.limit, unit: q.unit },
  };
}
