/**
 * Rules of the dairy trade as data and pure functions: rule packs (GB limits) and judging lab
 * results by them, cooling and withdrawal at collection, mass balance at production, custody,
 * the release gate, lineage and cold-chain excursions. No I/O; time is passed in.
 */
export type { Bilingual, Comparison, Matrix, ProductType, Rule, RulePack, Species } from './types.ts';
export { DEFAULT_PACKS, GB_CONTAMINANTS, GB_PATHOGENS, GB_RAW_MILK, packRef, RULE_PACKS, UNCONFIRMED_RAW_MILK } from './packs.ts';
export { findRule, findRules, judgeResult, meetsLimit, sameUnit, type Judgement, type RuleQuery } from './judge.ts';
export { ANALYTE_NAMES, analyteName, MATRIX_NAMES, PRODUCT_NAMES, SPECIES_NAMES } from './names.ts';
export { checkCooling, COOLING } from './cooling.ts';
export { checkWithdrawal, WITHDRAWAL_SOURCE } from './withdrawal.ts';
export { checkMassBalance, MILK_KG_PER_L, PRODUCT_YIELDS, YIELDS, type Yield } from './mass-balance.ts';
export { checkCustody } from './custody.ts';
export { checkRelease, REQUIRED_TESTS, requiredAnalytes, type RequiredTests } from './release.ts';
export { descendants } from './lineage.ts';
export { findExcursions, type Excursion } from './excursions.ts';
