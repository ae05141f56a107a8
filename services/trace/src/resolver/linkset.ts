// The lot's links as an RFC 9264 linkset, with link relations from the GS1 Web Vocabulary.
import type { PageModel } from './view.ts';

export const GS1 = 'https://gs1.org/voc/';
export const LINKSET_TYPE = 'application/linkset+json';

export interface LinksetOptions {
  /** The lot's Digital Link (the anchor). */
  anchor: string;
  /** Absolute URL of the verification bundle. */
  bundleUrl: string;
  /** Absolute URL of the lot's EPCIS history, when the service serves one. */
  epcisUrl?: string;
}

interface Link {
  href: string;
  type?: string;
  hreflang?: string[];
  title?: string;
  'title*'?: Array<{ value: string; language: string }>;
}

const titled = (zh: string, en: string) => ({ title: zh, 'title*': [{ value: zh, language: 'zh-CN' }, { value: en, language: 'en' }] });

/**
 * `{"linkset":[{"anchor": ..., <relation>: [links]}]}`. A recall, when one stands, comes first
 * (gs1:recallStatus), then the page (gs1:pip, gs1:defaultLink), the verification bundle
 * (gs1:traceability), the lab results (gs1:certificationInfo) and, if served, the EPCIS history (gs1:epcis).
 */
export function lotLinkset(m: PageModel, opts: LinksetOptions): { linkset: Array<Record<string, unknown>> } {
  const page = (fragment = '') => `${opts.anchor}${fragment}`;
  const html = { type: 'text/html', hreflang: ['zh-CN', 'en'] };
  const entry: Record<string, unknown> = { anchor: opts.anchor };
  const recall = m.alerts.find((a) => a.type === 'recall' && a.active);
  const hold = m.alerts.find((a) => a.type === 'hold' && a.active);
  if (recall || hold) {
    entry[`${GS1}recallStatus`] = [
      { href: page(), ...html, ...(recall ? titled(`已召回：${recall.title.zh}`, `Recalled: ${recall.title.en}`) : titled(hold!.title.zh, hold!.title.en)) } satisfies Link,
    ];
  }
  entry[`${GS1}pip`] = [{ href: page(), ...html, ...titled(`${m.product.name} 批号 ${m.lot.lot}`, `${m.product.name} lot ${m.lot.lot}`) } satisfies Link];
  entry[`${GS1}defaultLink`] = [{ href: page(), ...html } satisfies Link];
  entry[`${GS1}traceability`] = [
    { href: opts.bundleUrl, type: 'application/json', ...titled('验证数据包：事件、签名、包含证明与签名检查点', 'Verification bundle: events, signatures, inclusion proofs and the signed checkpoint') } satisfies Link,
  ];
  if (m.results.length > 0) {
    entry[`${GS1}certificationInfo`] = [{ href: page('#lab'), ...html, ...titled('检验结果', 'Lab results') } satisfies Link];
  }
  if (opts.epcisUrl) entry[`${GS1}epcis`] = [{ href: opts.epcisUrl, type: 'application/ld+json', ...titled('EPCIS 事件历史', 'EPCIS event history') } satisfies Link];
  return { linkset: [entry] };
}
