/**
 * Identifiers on both sides of the EPCIS border.
 *
 * Out: GS1 Digital Link URIs on id.gs1.org for what has a GS1 key (lots as LGTIN
 * `/01/<gtin>/10/<lot>`, logistic units as `/00/<sscc>`, places as `/414/<gln>`, parties as
 * `/417/<gln>`), and class-level ids under the deployment's own base for what has none (raw milk,
 * loads, batches, samples). Organisations without a known GLN are `urn:milkchain:org:<id>`.
 *
 * In: the same forms, any Digital Link host, and the EPC URNs of the GS1 examples (`urn:epc:id:sscc`,
 * `urn:epc:class:lgtin`, `urn:epc:id:sgln`), turned back into GTIN-14 + lot, SSCC-18, GLN-13 and
 * milkchain subjects. Instance-level keys (SGTIN serials, EPC patterns) have no milkchain
 * counterpart: milkchain follows lots, not single packs.
 */
import { isGln13, isGtin14, isSscc18, subjectFor, typeOfSubject, withGs1CheckDigit } from '@milkchain/domain';

/** The GS1 resolver used for class and instance ids that carry a GS1 key. */
export const GS1_ID = 'https://id.gs1.org';

/** Default base for ids milkchain mints itself (raw milk, loads, batches, samples). */
export const DEFAULT_ID_BASE = 'https://id.milkchain.dev';

/** The JSON-LD namespace of milkchain's extension fields (`milkchain:` in the @context). */
export const MILKCHAIN_NS = 'https://ref.milkchain.dev/epcis/';

/** milkchain's own business steps, for what CBV 2.0 has no name for (full URIs, as the schema requires). */
export const MILKCHAIN_BIZSTEP = {
  releasing: `${MILKCHAIN_NS}bizStep/releasing`,
  recalling: `${MILKCHAIN_NS}bizStep/recalling`,
} as const;

/** Path segment under the id base, per custody object type without a GS1 key. */
const CLASS_PATHS = {
  collection: 'raw-milk',
  load: 'raw-milk-load',
  batch: 'batch',
  sample: 'sample',
} as const;
type ClassType = keyof typeof CLASS_PATHS;

export const lgtinUri = (gtin: string, lot: string): string => `${GS1_ID}/01/${gtin}/10/${encodeURIComponent(lot)}`;
export const ssccUri = (sscc: string): string => `${GS1_ID}/00/${sscc}`;
export const locationUri = (gln: string): string => `${GS1_ID}/414/${gln}`;
export const partyUri = (gln: string): string => `${GS1_ID}/417/${gln}`;
export const orgUrn = (org: string): string => `urn:milkchain:org:${org}`;

const trimBase = (base: string) => base.replace(/\/+$/, '');

/**
 * The EPCIS class (or instance) id of a milkchain subject: LGTIN for lots, SSCC for shipments,
 * `<base>/<raw-milk|raw-milk-load|batch|sample>/<parts>` for the rest. Undefined for animals,
 * recalls and anything else that is not a product.
 */
export function classIdOf(subject: string, base: string = DEFAULT_ID_BASE): string | undefined {
  const type = typeOfSubject(subject);
  if (type === undefined) return undefined;
  const parts = subject.split(':').slice(3);
  if (type === 'lot') return parts.length === 2 ? lgtinUri(parts[0]!, parts[1]!) : undefined;
  if (type === 'shipment') return parts.length === 1 ? ssccUri(parts[0]!) : undefined;
  if (type === 'animal' || type === 'recall') return undefined;
  return `${trimBase(base)}/${CLASS_PATHS[type]}/${parts.map(encodeURIComponent).join('/')}`;
}

export type ParsedId =
  | { kind: 'lgtin'; gtin: string; lot: string }
  | { kind: 'sscc'; sscc: string }
  | { kind: 'gln'; gln: string; ai: '414' | '417' }
  | { kind: 'milkchain'; type: ClassType; subject: string; parts: string[] }
  | { kind: 'org'; org: string }
  | { kind: 'instance'; uri: string; why: { 'zh-CN': string; en: string } }
  | { kind: 'unknown'; uri: string };

const DL = /^https?:\/\/[^/?#]+((?:\/[^/?#]+)+)\/?(?:[?#].*)?$/;

function fromDigitalLink(uri: string): ParsedId | undefined {
  const path = DL.exec(uri)?.[1];
  if (path === undefined) return undefined;
  const seg = path.split('/').slice(1).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const [ai, key, ai2, value, ai3] = seg;
  if (ai === '01' && key !== undefined) {
    const gtin = key.padStart(14, '0');
    if (!isGtin14(gtin)) return undefined;
    if (ai2 === '10' && value !== undefined && ai3 === undefined) return { kind: 'lgtin', gtin, lot: value };
    if (ai2 === undefined) {
      return { kind: 'instance', uri, why: { 'zh-CN': `${uri} 只有 GTIN 而没有批号：milkchain 按包装批（GTIN + 批号）追溯`, en: `${uri} names a GTIN without a lot: milkchain follows lots (GTIN + lot)` } };
    }
    return { kind: 'instance', uri, why: { 'zh-CN': `${uri} 是单件（带序列号）标识：milkchain 按包装批追溯，不跟踪单件`, en: `${uri} names a single serialised item: milkchain follows lots, not single packs` } };
  }
  if (ai === '00' && key !== undefined && ai2 === undefined) return isSscc18(key) ? { kind: 'sscc', sscc: key } : undefined;
  if ((ai === '414' || ai === '417') && key !== undefined && isGln13(key)) return { kind: 'gln', gln: key, ai };
  return undefined;
}

function fromMilkchainBase(uri: string, base: string): ParsedId | undefined {
  const prefix = `${trimBase(base)}/`;
  if (!uri.startsWith(prefix)) return undefined;
  const [path, ...rest] = uri.slice(prefix.length).split('/');
  const type = (Object.keys(CLASS_PATHS) as ClassType[]).find((t) => CLASS_PATHS[t] === path);
  if (type === undefined || rest.length === 0) return undefined;
  try {
    const parts = rest.map(decodeURIComponent);
    return { kind: 'milkchain', type, subject: subjectFor(type, ...parts), parts };
  } catch {
    return undefined;
  }
}

/** `urn:epc:...` forms (GS1 EPC Tag Data Standard, pure identity and class URIs). */
function fromEpcUrn(uri: string): ParsedId | undefined {
  let m = /^urn:epc:id:sscc:(\d+)\.(\d+)$/.exec(uri);
  if (m) {
    const [, prefix, serial] = m as unknown as [string, string, string];
    if (prefix.length + serial.length !== 17) return undefined;
    const sscc = withGs1CheckDigit(serial.slice(0, 1) + prefix + serial.slice(1));
    return { kind: 'sscc', sscc };
  }
  m = /^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$/.exec(uri);
  if (m) {
    const [, prefix, item, lot] = m as unknown as [string, string, string, string];
    if (prefix.length + item.length !== 13) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(lot);
    } catch {
      return undefined;
    }
    return { kind: 'lgtin', gtin: withGs1CheckDigit(item.slice(0, 1) + prefix + item.slice(1)), lot: decoded };
  }
  m = /^urn:epc:id:sgln:(\d+)\.(\d*)\.(.+)$/.exec(uri);
  if (m) {
    const [, prefix, location] = m as unknown as [string, string, string];
    if (prefix.length + location.length !== 12) return undefined;
    return { kind: 'gln', gln: withGs1CheckDigit(prefix + location), ai: '414' };
  }
  if (/^urn:epc:id:sgtin:/.test(uri)) {
    return { kind: 'instance', uri, why: { 'zh-CN': `${uri} 是单件（SGTIN）标识：milkchain 按包装批（GTIN + 批号）追溯，不跟踪单件`, en: `${uri} is a single serialised item (SGTIN): milkchain follows lots (GTIN + lot), not single packs` } };
  }
  if (/^urn:epc:idpat:/.test(uri)) {
    return { kind: 'instance', uri, why: { 'zh-CN': `${uri} 是 EPC 模式（不含批号）：milkchain 需要明确的包装批（GTIN + 批号）`, en: `${uri} is an EPC pattern without a lot: milkchain needs a definite lot (GTIN + lot)` } };
  }
  return undefined;
}

/** What an EPCIS identifier names, as far as milkchain can tell. */
export function parseId(uri: string, base: string = DEFAULT_ID_BASE): ParsedId {
  const org = /^urn:milkchain:org:(org_[a-z0-9_-]{2,60})$/.exec(uri)?.[1];
  if (org !== undefined) return { kind: 'org', org };
  return fromMilkchainBase(uri, base) ?? fromEpcUrn(uri) ?? fromDigitalLink(uri) ?? { kind: 'unknown', uri };
}

/** The UN/ECE Rec. 20 code EPCIS uses for a milkchain unit; undefined for counts ('unit'). */
export function uomOf(unit: string): string | undefined {
  return ({ L: 'LTR', mL: 'MLT', kg: 'KGM', g: 'GRM', t: 'TNE' } as Record<string, string>)[unit];
}

