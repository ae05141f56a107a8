/**
 * Mass balance: a batch cannot put out more than its milk can make. Too much output from too
 * little milk is how dilution and passing-off show (e.g. solid milk-containing products sold as
 * traditional 奶豆腐), so it is refused at production, not found later.
 */
import { refuse, type Refusal } from '../refusal.ts';
import { PRODUCT_NAMES } from './names.ts';
import type { Bilingual, ProductType } from './types.ts';

/** 1 L of milk weighs about 1.03 kg: used to turn kilograms of milk or liquid product into litres. */
export const MILK_KG_PER_L = 1.03;

export interface Yield {
  /** Upper bound of output per litre of milk put in, in `per` (litres or kilograms of product). */
  readonly maxOutputPerInputL: number;
  readonly per: 'L' | 'kg';
  /** Units the output may be given in (converted to `per`). */
  readonly outputUnits: readonly string[];
  readonly basis: Bilingual;
}

const VOLUME_OR_MASS = ['L', 'mL', 'kg', 'g', 't'] as const;
const MASS = ['kg', 'g', 't'] as const;

const fluid = (zh: string, en: string, max = 1): Yield => ({ maxOutputPerInputL: max, per: 'L', outputUnits: VOLUME_OR_MASS, basis: { 'zh-CN': zh, en } });
const solid = (max: number, zh: string, en: string): Yield => ({ maxOutputPerInputL: max, per: 'kg', outputUnits: MASS, basis: { 'zh-CN': zh, en } });

/**
 * Upper bounds, not typical yields: generous enough for any honest batch, tight enough that
 * output from thin air shows. Inputs are taken as milk (raw, pooled or standardised).
 */
export const YIELDS: Readonly<Record<ProductType, Yield>> = Object.freeze({
  pasteurised_milk: fluid('液态乳：加工不增加奶量，每升投入至多产出 1 升', 'Fluid milk: processing adds no milk, at most 1 L out per L in'),
  uht_milk: fluid('液态乳：加工不增加奶量，每升投入至多产出 1 升', 'Fluid milk: processing adds no milk, at most 1 L out per L in'),
  yoghurt: fluid('酸奶：可添加糖、果料等配料，每升奶至多产出 1.1 升', 'Yoghurt: sugar, fruit and other ingredients may be added, at most 1.1 L per L of milk', 1.1),
  fermented_milk: fluid('发酵乳：可添加配料，每升奶至多产出 1.1 升', 'Fermented milk: ingredients may be added, at most 1.1 L per L of milk', 1.1),
  milk_powder: solid(0.15, '乳粉：约 8 升奶出 1 千克粉（干物质约 12–13%），每升至多 0.15 千克', 'Milk powder: about 1 kg from 8 L (milk is 12–13% solids), at most 0.15 kg per L'),
  cheese: solid(0.15, '干酪：约 10 升奶出 1 千克，每升至多 0.15 千克', 'Cheese: about 1 kg from 10 L, at most 0.15 kg per L'),
  butter: solid(0.06, '黄油：约 20–25 升奶出 1 千克（乳脂约 3–4%），每升至多 0.06 千克', 'Butter: about 1 kg from 20–25 L (milk fat is 3–4%), at most 0.06 kg per L'),
  cream: fluid('稀奶油：分离出的脂肪部分，每升奶至多 0.2 升', 'Cream: the fat fraction separated from milk, at most 0.2 L per L', 0.2),
  milk_tofu: solid(0.2, '奶豆腐：与干酪同一数量级（约 6–8 升奶出 1 千克），每升至多 0.2 千克', 'Milk tofu (奶豆腐): of the order of cheese (about 1 kg from 6–8 L), at most 0.2 kg per L'),
  milk_skin: solid(0.12, '奶皮子：煮奶后撇取的脂肪层（约 10 升奶出 1 千克），每升至多 0.12 千克', 'Milk skin (奶皮子): the fat layer skimmed from boiled milk (about 1 kg from 10 L), at most 0.12 kg per L'),
  fermented_mare_milk: fluid('酸马奶：发酵不增加奶量，每升至多 1 升', "Fermented mare's milk: fermenting adds no milk, at most 1 L per L"),
  other: fluid('其他乳制品：产出不超过投入的奶量', 'Other dairy products: no more out than the milk that went in'),
});

const TO_L: Readonly<Record<string, number>> = { L: 1, mL: 0.001, kg: 1 / MILK_KG_PER_L, g: 0.001 / MILK_KG_PER_L, t: 1000 / MILK_KG_PER_L };
const TO_KG: Readonly<Record<string, number>> = { kg: 1, g: 0.001, t: 1000, L: MILK_KG_PER_L, mL: 0.001 * MILK_KG_PER_L };

/** Relative slack for floating-point sums: output exactly at the limit must pass. */
const EPSILON = 1e-9;

function fmt(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/**
 * Yields from an input that is itself a product, per litre of it, in the output's basis. Fluid
 * milks count as milk, and a product re-batched into itself counts one for one (both handled
 * below); pairs not listed here cannot be balanced.
 */
export const PRODUCT_YIELDS: Readonly<Partial<Record<ProductType, Partial<Record<ProductType, number>>>>> = Object.freeze({
  // Butter is about 82% fat; cream up to about 45%: at most 0.6 kg of butter per litre of cream.
  cream: Object.freeze({ butter: 0.6 }),
});

const MILK_LIKE: ReadonlySet<ProductType | undefined> = new Set([undefined, 'pasteurised_milk', 'uht_milk']);

/**
 * Refuses an output larger than the product's yield allows from the inputs (L, mL, kg, g or t;
 * kilograms of milk converted at 1.03 kg/L), and quantities that cannot be compared: counted
 * `unit`s, or an output unit the product is not measured in (cheese in litres). An input is milk
 * unless it says which product it is (`productType`): pasteurised or UHT milk counts as milk, the
 * same product as the output counts one for one, and other pairs use PRODUCT_YIELDS (cream into
 * butter); a pair with no yield known is refused (`mass-balance.unknown-input`). `path` is the
 * JSON pointer of the command's output field.
 */
export function checkMassBalance(q: {
  productType: ProductType;
  inputs: ReadonlyArray<{ value: number; unit: string; productType?: ProductType }>;
  output: { value: number; unit: string };
  path?: string;
}): Refusal | undefined {
  const y = YIELDS[q.productType];
  const product = PRODUCT_NAMES[q.productType];
  const onOutput = q.path === undefined ? {} : { path: q.path };
  const badInput = q.inputs.findIndex((i) => TO_L[i.unit] === undefined || !Number.isFinite(i.value) || i.value < 0);
  if (badInput >= 0) {
    const input = q.inputs[badInput];
    return refuse(
      'rule',
      'mass-balance.unit',
      `第 ${badInput + 1} 项投入的数量（${input?.value} ${input?.unit}）无法与产出比较：请以体积（L、mL）或质量（kg、g、t）填写`,
      `Input ${badInput + 1} (${input?.value} ${input?.unit}) cannot be weighed against the output: give it as a volume (L, mL) or a mass (kg, g, t)`,
      { details: { input: badInput, unit: input?.unit } },
    );
  }
  if (!y.outputUnits.includes(q.output.unit) || !Number.isFinite(q.output.value)) {
    const counted = q.output.unit === 'unit';
    const units = y.outputUnits.join(', ');
    return refuse(
      'rule',
      'mass-balance.unit',
      counted
        ? `产出以“件”计，无法做物料平衡：请以质量或体积（${units}）填写${product['zh-CN']}的产出量`
        : `${product['zh-CN']}的产出须以 ${units} 计，而不是 ${q.output.unit}`,
      counted
        ? `An output counted in units cannot be balanced against the milk: give the ${product.en} output as a mass or volume (${units})`
        : `${product.en} output must be given in ${units}, not ${q.output.unit}`,
      { ...onOutput, details: { unit: q.output.unit, allowed: y.outputUnits } },
    );
  }
  const toBasis = y.per === 'L' ? TO_L : TO_KG;
  let inputL = 0;
  let max = 0;
  for (const [index, i] of q.inputs.entries()) {
    const litres = i.value * (TO_L[i.unit] ?? 0);
    inputL += litres;
    if (MILK_LIKE.has(i.productType)) max += litres * y.maxOutputPerInputL;
    else if (i.productType === q.productType) max += i.value * (toBasis[i.unit] ?? 0);
    else {
      const perL = i.productType === undefined ? undefined : PRODUCT_YIELDS[i.productType]?.[q.productType];
      if (perL === undefined) {
        const from = PRODUCT_NAMES[i.productType ?? 'other'];
        return refuse(
          'rule',
          'mass-balance.unknown-input',
          `没有由${from['zh-CN']}制成${product['zh-CN']}的得率，无法核对物料平衡：请以原料奶作为投入登记`,
          `No yield is known for making ${product.en} from ${from.en}, so the quantities cannot be balanced: record the milk it was made from as the input`,
          { details: { input: index, inputProductType: i.productType, productType: q.productType } },
        );
      }
      max += litres * perL;
    }
  }
  const output = q.output.value * (toBasis[q.output.unit] ?? 0);
  if (output <= max * (1 + EPSILON)) return undefined;
  const allMilk = q.inputs.every((i) => MILK_LIKE.has(i.productType));
  const per = { 'zh-CN': y.per === 'L' ? '升' : '千克', en: y.per };
  const from = allMilk ? { 'zh-CN': `${fmt(inputL)} 升奶`, en: `${fmt(inputL)} L of milk` } : { 'zh-CN': '这些投入', en: 'These inputs' };
  return refuse(
    'rule',
    'mass-balance.yield',
    `${from['zh-CN']}最多只能产出 ${fmt(max)} ${per['zh-CN']}${product['zh-CN']}，申报产出 ${fmt(output)} ${per['zh-CN']}（${y.basis['zh-CN']}）：请核对投入与产出数量`,
    `${from.en} make${allMilk ? 's' : ''} at most ${fmt(max)} ${per.en} of ${product.en}, but ${fmt(output)} ${per.en} is declared (${y.basis.en}): check the input and output quantities`,
    {
      ...onOutput,
      details: { inputL, output, outputUnit: y.per, max, maxOutputPerInputL: y.maxOutputPerInputL },
    },
  );
}
