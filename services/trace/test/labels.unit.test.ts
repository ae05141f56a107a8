import { describe, expect, it } from 'vitest';
import { productNames, unitSerial } from '../src/labels/router.ts';

describe('label content', () => {
  it('splits "中文 English" product names, and falls back on the product type', () => {
    expect(productNames('青城鲜牛奶 Qingcheng fresh pasteurised milk', null, '06901234000016')).toEqual({ 'zh-CN': '青城鲜牛奶', en: 'Qingcheng fresh pasteurised milk' });
    expect(productNames('萨拉乌苏奶豆腐 Salawusu milk tofu (aaruul-style fresh curd)', 'milk_tofu', 'x')).toEqual({ 'zh-CN': '萨拉乌苏奶豆腐', en: 'Salawusu milk tofu (aaruul-style fresh curd)' });
    expect(productNames('酸奶', 'yoghurt', 'x')).toEqual({ 'zh-CN': '酸奶', en: 'yoghurt' });
    expect(productNames('Plain yoghurt', 'yoghurt', 'x')).toEqual({ 'zh-CN': '酸奶', en: 'Plain yoghurt' });
    expect(productNames(null, 'uht_milk', 'x')).toEqual({ 'zh-CN': '超高温灭菌乳', en: 'UHT milk' });
    expect(productNames(null, null, '06901234000016')).toEqual({ 'zh-CN': '06901234000016', en: '06901234000016' });
  });

  it('numbers serialised units <lot>-0001 onwards', () => {
    expect(unitSerial('261123P1B', 1)).toBe('261123P1B-0001');
    expect(unitSerial('261123P1B', 9999)).toBe('261123P1B-9999');
  });
});
