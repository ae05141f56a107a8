import type { Data as BatchProduced } from '../kinds/batch.produced/v1.ts';
import type { Data as SampleTaken } from '../kinds/sample.taken/v1.ts';
import type { Data as MilkCollected } from '../kinds/milk.collected/v1.ts';

export type Comparison = 'lte' | 'lt' | 'gte' | 'gt';
/** The species of milk.collected v1 data.species. */
export type Species = MilkCollected['species'];
/** The product types of batch.produced v1 data.productType. */
export type ProductType = BatchProduced['productType'];
/** The matrices of sample.taken v1 data.matrix. */
export type Matrix = SampleTaken['matrix'];

export interface Bilingual {
  readonly 'zh-CN': string;
  readonly en: string;
}

/**
 * One limit of one analyte, as data. A rule applies to a result when the result's analyte is
 * the rule's, and its species, matrix and product type are among those the rule lists (a list
 * left out means "any").
 */
export interface Rule {
  /** Stable id, recorded in lab.result.recorded data.rule.id, e.g. `raw-milk.protein.min`. */
  readonly id: string;
  readonly analyte: string;
  /** The only unit a result may be given in; there is no conversion. */
  readonly unit: string;
  readonly comparison: Comparison;
  readonly limit: number;
  readonly source: string;
  readonly title: Bilingual;
  readonly species?: readonly Species[];
  readonly matrices?: readonly Matrix[];
  readonly products?: readonly ProductType[];
  /**
   * Infant formula has its own limits (melamine 1 mg/kg instead of 2.5). batch.produced v1 has
   * no product type for it, so the caller says so (`infantFormula: true` in the query).
   * `true`: the rule applies only to infant formula; `false`: only to food that is not infant
   * formula; left out: to both.
   */
  readonly infantFormula?: boolean;
  readonly note?: string;
}

export interface RulePack {
  /** Referenced as `${id}:${version}` in lab.result.recorded data.rule.pack. */
  readonly id: string;
  readonly version: string;
  readonly title: Bilingual;
  /** false: the values have not yet been checked against the standard's text. */
  readonly confirmed: boolean;
  readonly caveat?: Bilingual;
  readonly rules: readonly Rule[];
}
