/**
 * GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax 1.x, ISO/IEC 18975) for the two
 * keys milkchain issues: GTIN (AI 01) with its key qualifiers, and SSCC (AI 00).
 *
 * What this module holds to:
 * - The path is `[prefix]/{primary AI}/{value}[/{qualifier AI}/{value}]...`; whatever comes before
 *   the primary key (a custom domain's own path) is allowed and ignored. The primary key is found
 *   from the right, as the standard's toolkits do, so a prefix never shadows it.
 * - AI 01 qualifiers follow the standard's gtin-path `[/22/cpv][/10/lot][/21/ser]`: each optional,
 *   in that order, none repeated; so `/01/{gtin}/21/{ser}` (a serial without a lot) is valid and
 *   `/01/{gtin}/21/{ser}/10/{lot}` is not. The upui-path `/01/{gtin}/235/{tpx}` is valid Digital
 *   Link that milkchain neither issues nor resolves. AI 00 has no qualifiers.
 * - GTIN-8, -12, -13 and -14 are accepted and always written with 14 digits; SSCC has 18 digits;
 *   both must carry their check digit.
 * - AI 10, 21 and 22 values are 1 to 20 characters of GS1 character set 82, percent-encoded in
 *   the path (everything outside RFC 3986's unreserved set is encoded when building).
 * - Data attributes in the query string (`?17=261231`) and other query parameters are kept
 *   but never change the key; a trailing slash, a fragment, and the case of the scheme and host
 *   do not matter; a path without scheme and host (`/01/...`) is accepted.
 *
 * The URI is taken apart by hand rather than with `URL`: the WHATWG parser removes `.`/`..` and
 * `%2e` path segments, which would silently change a lot number. Pure, no Node built-ins, no
 * zod (it imports only ./gs1.ts, so a page bundling it stays small): the resolver, the labels and
 * the browser page share it. The lot and shipment subjects are spelled here as in
 * custody/subjects.ts (`subjectFor`), which the tests hold it to.
 */
import { hasValidGs1CheckDigit } from './gs1.ts';

/** The identifier a Digital Link carries: a GTIN (with its optional qualifiers) or an SSCC. */
export type DigitalLinkKey =
  | {
      readonly type: 'gtin';
      /** GTIN-14; builders also take GTIN-8, -12 and -13 and pad them. */
      readonly gtin: string;
      /** AI 22, consumer product variant (milkchain issues none but reads it). */
      readonly cpv?: string;
      /** AI 10, batch or lot number. */
      readonly lot?: string;
      /** AI 21, serial number. */
      readonly serial?: string;
    }
  | { readonly type: 'sscc'; readonly sscc: string };

export interface ParsedDigitalLink {
  readonly key: DigitalLinkKey;
  /** Query parameters as given (data attributes such as `17`, and others such as `linkType`); they do not change the key. */
  readonly attributes: Readonly<Record<string, string>>;
}

export type DigitalLinkErrorCode =
  /** Not an http(s) URI or path of AI/value pairs with a primary key, or too long. */
  | 'NOT_A_DIGITAL_LINK'
  /** The primary key is not GTIN (01) or SSCC (00): another GS1 key, or no GS1 key at all. */
  | 'UNKNOWN_PRIMARY_KEY'
  /** A GTIN or SSCC whose last digit is not its check digit. */
  | 'BAD_CHECK_DIGIT'
  /** A value of the wrong length or characters, or bad percent-encoding. */
  | 'BAD_VALUE'
  /** Key qualifiers out of the standard's order, or one repeated. */
  | 'QUALIFIER_ORDER'
  /** An AI in the path that is not a key qualifier of the primary key (e.g. a data attribute, or any qualifier after an SSCC). */
  | 'QUALIFIER_NOT_ALLOWED'
  /** A key qualifier the standard allows but milkchain does not resolve (AI 235, third-party serial). */
  | 'UNSUPPORTED_QUALIFIER';

/**
 * A refusal to read or write a Digital Link: a stable `code`, the path segment at fault (as it
 * appears in the URI, or `base` for the builder's base), and a message in Chinese and English.
 */
export class DigitalLinkError extends Error {
  override name = 'DigitalLinkError';
  readonly messages: { readonly 'zh-CN': string; readonly en: string };
  constructor(
    readonly code: DigitalLinkErrorCode,
    readonly segment: string | undefined,
    zh: string,
    en: string,
  ) {
    super(`${zh} / ${en}`);
    this.messages = { 'zh-CN': zh, en };
  }
}

export function isDigitalLinkError(err: unknown): err is DigitalLinkError {
  return err instanceof DigitalLinkError;
}

/** A GS1 Digital Link is a short URI; anything far longer is not one (and is not worth parsing). */
export const MAX_DIGITAL_LINK_LENGTH = 2048;

/** Every primary key of GS1 Digital Link, with its name, so a refusal can say which key it saw. */
const PRIMARY_KEYS: Readonly<Record<string, string>> = {
  '00': 'SSCC',
  '01': 'GTIN',
  '253': 'GDTI',
  '255': 'GCN',
  '401': 'GINC',
  '402': 'GSIN',
  '414': 'GLN',
  '417': 'PGLN',
  '8003': 'GRAI',
  '8004': 'GIAI',
  '8006': 'ITIP',
  '8010': 'CPID',
  '8013': 'GMN',
  '8017': 'GSRN (provider)',
  '8018': 'GSRN (recipient)',
};

/** The gtin-path of the standard: AI 01's key qualifiers, in the only order they may appear. */
const GTIN_QUALIFIERS = ['22', '10', '21'] as const;
type GtinQualifier = (typeof GTIN_QUALIFIERS)[number];
const QUALIFIER_FIELD: Readonly<Record<GtinQualifier, 'cpv' | 'lot' | 'serial'>> = { '22': 'cpv', '10': 'lot', '21': 'serial' };
const QUALIFIER_NAME: Readonly<Record<GtinQualifier, { zh: string; en: string }>> = {
  '22': { zh: '消费品变体（AI 22）', en: 'consumer product variant (AI 22)' },
  '10': { zh: '批号（AI 10）', en: 'lot (AI 10)' },
  '21': { zh: '序列号（AI 21）', en: 'serial (AI 21)' },
};

/** GS1 character set 82, 1 to 20 characters: AI 10, 21 and 22. */
const CSET82_20 = /^[!"%-?A-Z_a-z]{1,20}$/;
const DIGITS = /^[0-9]+$/;
const ABSOLUTE = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i;
const PATH_ONLY = /^(\/[^?#]*)(?:\?([^#]*))?(?:#.*)?$/;
const BASE = /^https?:\/\/[^/?#]+(?:\/[^?#]*)?$/i;
/** What a subject part may hold (custody/subjects.ts): a lot with other characters has no subject. */
const SUBJECT_PART = /^[A-Za-z0-9._-]+$/;

function fail(code: DigitalLinkErrorCode, segment: string | undefined, zh: string, en: string): never {
  throw new DigitalLinkError(code, segment, zh, en);
}

// ---- values -----------------------------------------------------------------------------------

function gtin14(value: string, segment: string): string {
  if (!DIGITS.test(value) || ![8, 12, 13, 14].includes(value.length)) {
    fail('BAD_VALUE', segment, `GTIN「${segment}」应为 8、12、13 或 14 位数字`, `GTIN "${segment}" must be 8, 12, 13 or 14 digits`);
  }
  if (!hasValidGs1CheckDigit(value)) {
    fail('BAD_CHECK_DIGIT', segment, `GTIN「${segment}」的校验位不正确`, `GTIN "${segment}" has a wrong check digit`);
  }
  return value.padStart(14, '0');
}

function sscc18(value: string, segment: string): string {
  if (!DIGITS.test(value) || value.length !== 18) {
    fail('BAD_VALUE', segment, `SSCC「${segment}」应为 18 位数字`, `SSCC "${segment}" must be 18 digits`);
  }
  if (!hasValidGs1CheckDigit(value)) {
    fail('BAD_CHECK_DIGIT', segment, `SSCC「${segment}」的校验位不正确`, `SSCC "${segment}" has a wrong check digit`);
  }
  return value;
}

function qualifierValue(ai: GtinQualifier, value: string, segment: string): string {
  const name = QUALIFIER_NAME[ai];
  if (!CSET82_20.test(value)) {
    fail(
      'BAD_VALUE',
      segment,
      `${name.zh}「${segment}」应为 1 至 20 个 GS1 82 字符集字符（字母、数字及 !"%&'()*+,-./:;<=>?_）`,
      `${name.en} "${segment}" must be 1 to 20 characters of GS1 character set 82 (letters, digits and !"%&'()*+,-./:;<=>?_)`,
    );
  }
  // RFC 3986 removes `.` and `..` path segments, encoded or not: such a value cannot travel in a link.
  if (value === '.' || value === '..') {
    fail('BAD_VALUE', segment, `${name.zh}不能只由“.”组成：网址会将其删除`, `${name.en} cannot be only dots: URLs drop such a path segment`);
  }
  return value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return fail('BAD_VALUE', segment, `路径段「${segment}」的百分号编码无效`, `path segment "${segment}" is not valid percent-encoding`);
  }
}

/** Percent-encodes everything outside RFC 3986's unreserved characters (values are ASCII, GS1 set 82). */
function encodeSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9\-._~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

// ---- building -----------------------------------------------------------------------------------

/**
 * The key's Digital Link path, e.g. `/01/06901234567892/10/L20261120A/21/0001`: GTIN as 14
 * digits, qualifiers in the standard's order, values percent-encoded. Throws DigitalLinkError
 * on an invalid key.
 */
export function digitalLinkPath(key: DigitalLinkKey): string {
  if (key.type === 'sscc') return `/00/${sscc18(key.sscc, key.sscc)}`;
  if (key.type !== 'gtin') fail('UNKNOWN_PRIMARY_KEY', undefined, '只支持 GTIN 与 SSCC', 'only GTIN and SSCC keys are supported');
  let path = `/01/${gtin14(key.gtin, key.gtin)}`;
  for (const ai of GTIN_QUALIFIERS) {
    const value = key[QUALIFIER_FIELD[ai]];
    if (value !== undefined) path += `/${ai}/${encodeSegment(qualifierValue(ai, value, value))}`;
  }
  return path;
}

/**
 * The Digital Link of `key` on the resolver at `base` (`https://host[/prefix]`, a trailing slash
 * allowed; `''` gives the path alone). Throws DigitalLinkError on an invalid key or base.
 */
export function buildDigitalLink(base: string, key: DigitalLinkKey): string {
  if (base !== '' && !BASE.test(base)) {
    fail('NOT_A_DIGITAL_LINK', 'base', `基础地址「${base}」应为不带查询参数的 http(s) 网址`, `base "${base}" must be an http(s) URL without query or fragment`);
  }
  return base.replace(/\/+$/, '') + digitalLinkPath(key);
}

// ---- parsing ------------------------------------------------------------------------------------

function parseQuery(query: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!query) return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const [name, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s; // attributes never change the key: keep what was sent rather than refuse the link
      }
    };
    out[decode(name)] = decode(value);
  }
  return out;
}

/**
 * Reads a GS1 Digital Link URI (`https://host[/prefix]/01/...`) or its path alone (`/01/...`),
 * with an optional query string. Throws DigitalLinkError naming the segment at fault.
 */
export function parseDigitalLink(uriOrPath: string): ParsedDigitalLink {
  const input = uriOrPath.trim();
  if (input.length > MAX_DIGITAL_LINK_LENGTH) {
    fail('NOT_A_DIGITAL_LINK', undefined, `链接过长（超过 ${MAX_DIGITAL_LINK_LENGTH} 个字符）`, `the link is too long (over ${MAX_DIGITAL_LINK_LENGTH} characters)`);
  }
  let path: string;
  let query: string | undefined;
  const absolute = ABSOLUTE.exec(input);
  const pathOnly = absolute ? null : PATH_ONLY.exec(input);
  if (absolute) [path, query] = [absolute[3] ?? '', absolute[4]];
  else if (pathOnly) [path, query] = [pathOnly[1] ?? '', pathOnly[2]];
  else {
    return fail(
      'NOT_A_DIGITAL_LINK',
      undefined,
      '不是 GS1 数字链接：应为 http(s) 网址或以“/”开头的路径',
      'not a GS1 Digital Link: expected an http(s) URI or a path starting with "/"',
    );
  }

  const segments = path.split('/').slice(1);
  if (segments.at(-1) === '') segments.pop(); // a trailing slash

  // The primary key is the rightmost AI that leaves an even number of segments after it: every
  // value sits an odd distance from the end, so a value that reads like an AI ("01") never wins.
  let p = -1;
  for (let i = segments.length - 2; i >= 0; i -= 2) {
    if (Object.hasOwn(PRIMARY_KEYS, segments[i]!)) {
      p = i;
      break;
    }
  }
  if (p < 0) {
    const first = segments[0];
    if (first !== undefined && segments.length % 2 === 0 && /^[0-9]{2,4}$/.test(first)) {
      fail('UNKNOWN_PRIMARY_KEY', first, `「${first}」不是 GS1 数字链接的主键`, `"${first}" is not a GS1 Digital Link primary key`);
    }
    fail(
      'NOT_A_DIGITAL_LINK',
      undefined,
      '不是 GS1 数字链接：路径中没有主键（如 /01/<GTIN> 或 /00/<SSCC>）后跟成对的 AI 与值',
      'not a GS1 Digital Link: the path has no primary key (such as /01/<GTIN> or /00/<SSCC>) followed by AI/value pairs',
    );
  }

  // A GTIN or SSCC (with qualifiers or not) before the key found, as in /01/{gtin}/00/{sscc} or
  // /01/{gtin}/10/{lot}/01/{gtin}, is a confused link, not a prefix; anything else before it is
  // the resolver's own path (even `/2026/01/...`).
  for (let i = p - 2; i >= 0; i -= 2) {
    const ai = segments[i]!;
    if ((ai === '00' || ai === '01') && /^[0-9]{8,18}$/.test(segments[i + 1]!)) {
      fail('QUALIFIER_NOT_ALLOWED', segments[p], `一个链接只能有一个主键：「${segments[p]}」不能跟在「${ai}」之后`, `a link has one primary key: "${segments[p]}" cannot follow "${ai}"`);
    }
    if (!(GTIN_QUALIFIERS as readonly string[]).includes(ai)) break;
  }

  const primary = segments[p]!;
  const rawKey = segments[p + 1]!;
  const pairs: Array<[string, string]> = [];
  for (let i = p + 2; i < segments.length; i += 2) pairs.push([segments[i]!, segments[i + 1]!]);

  if (primary === '00') {
    const sscc = sscc18(decodeSegment(rawKey), rawKey);
    const extra = pairs[0];
    if (extra) {
      fail('QUALIFIER_NOT_ALLOWED', extra[0], `SSCC（AI 00）没有限定符，「${extra[0]}」不能出现在其后`, `SSCC (AI 00) takes no key qualifiers; "${extra[0]}" cannot follow it`);
    }
    return { key: { type: 'sscc', sscc }, attributes: parseQuery(query) };
  }
  if (primary !== '01') {
    const name = PRIMARY_KEYS[primary]!;
    fail(
      'UNKNOWN_PRIMARY_KEY',
      primary,
      `milkchain 只解析 GTIN（01）与 SSCC（00），不解析 ${name}（${primary}）`,
      `milkchain resolves GTIN (01) and SSCC (00) only, not ${name} (${primary})`,
    );
  }

  const gtin = gtin14(decodeSegment(rawKey), rawKey);
  const key: { type: 'gtin'; gtin: string; cpv?: string; lot?: string; serial?: string } = { type: 'gtin', gtin };
  let last = -1;
  for (const [ai, raw] of pairs) {
    const at = (GTIN_QUALIFIERS as readonly string[]).indexOf(ai);
    if (at < 0) {
      if (ai === '235') {
        fail('UNSUPPORTED_QUALIFIER', ai, 'milkchain 不解析第三方序列号（AI 235）', 'milkchain does not resolve third-party controlled serials (AI 235)');
      }
      fail(
        'QUALIFIER_NOT_ALLOWED',
        ai,
        `「${ai}」不是 GTIN 的限定符（路径中只能有 22、10、21；其他数据如 17 请放在查询参数中）`,
        `"${ai}" is not a key qualifier of GTIN (the path takes 22, 10, 21 only; data such as 17 goes in the query string)`,
      );
    }
    if (at <= last) {
      const before = GTIN_QUALIFIERS[last]!;
      fail(
        'QUALIFIER_ORDER',
        ai,
        at === last ? `限定符「${ai}」重复出现` : `限定符顺序错误：「${ai}」应在「${before}」之前（顺序为 22、10、21）`,
        at === last ? `qualifier "${ai}" appears twice` : `qualifiers out of order: "${ai}" must come before "${before}" (the order is 22, 10, 21)`,
      );
    }
    last = at;
    const q = ai as GtinQualifier;
    key[QUALIFIER_FIELD[q]] = qualifierValue(q, decodeSegment(raw), raw);
  }
  return { key, attributes: parseQuery(query) };
}

// ---- element strings and subjects -------------------------------------------------------------

/**
 * The human-readable GS1 element string printed under a code, e.g.
 * `(01) 06901234567892 (10) L20261120A (21) 0001`. Throws DigitalLinkError on an invalid key.
 */
export function gs1ElementString(key: DigitalLinkKey): string {
  if (key.type === 'sscc') return `(00) ${sscc18(key.sscc, key.sscc)}`;
  let out = `(01) ${gtin14(key.gtin, key.gtin)}`;
  for (const ai of GTIN_QUALIFIERS) {
    const value = key[QUALIFIER_FIELD[ai]];
    if (value !== undefined) out += ` (${ai}) ${qualifierValue(ai, value, value)}`;
  }
  return out;
}

/**
 * The key of a lot (`urn:milkchain:lot:<gtin14>:<lot>`, optionally one serialised unit of it) or
 * a shipment (`urn:milkchain:shipment:<sscc18>`); undefined for any other subject.
 */
export function keyForSubject(subject: string, serial?: string): DigitalLinkKey | undefined {
  const [urn, ns, type, ...parts] = subject.split(':');
  if (urn !== 'urn' || ns !== 'milkchain') return undefined;
  if (type === 'lot' && parts.length === 2) {
    const [gtin, lot] = parts as [string, string];
    return serial === undefined ? { type: 'gtin', gtin, lot } : { type: 'gtin', gtin, lot, serial };
  }
  if (type === 'shipment' && parts.length === 1 && serial === undefined) return { type: 'sscc', sscc: parts[0]! };
  return undefined;
}

/**
 * The Digital Link of a lot or shipment subject (a lot's unit when `serial` is given). Throws a
 * RangeError for a subject that has no GS1 key (collections, loads, batches ...), and
 * DigitalLinkError when the subject's GTIN, lot or SSCC is not valid.
 */
export function digitalLinkForSubject(base: string, subject: string, serial?: string): string {
  const key = keyForSubject(subject, serial);
  if (!key) throw new RangeError(`${subject} has no GS1 Digital Link (only lots, their units, and shipments have one)`);
  return buildDigitalLink(base, key);
}

/**
 * The custody subject a key names: its lot for a GTIN + lot (a serialised unit is not a subject
 * of its own: it resolves to its lot), its shipment for an SSCC. Undefined when no milkchain
 * subject can be named by the key: a GTIN alone (a product, not an object), a consumer product
 * variant (milkchain issues none), an invalid key, or a lot whose characters a subject cannot carry.
 */
export function subjectForDigitalLink(key: DigitalLinkKey): string | undefined {
  try {
    if (key.type === 'sscc') return `urn:milkchain:shipment:${sscc18(key.sscc, key.sscc)}`;
    if (key.lot === undefined || key.cpv !== undefined || !SUBJECT_PART.test(key.lot)) return undefined;
    return `urn:milkchain:lot:${gtin14(key.gtin, key.gtin)}:${qualifierValue('10', key.lot, key.lot)}`;
  } catch {
    return undefined;
  }
}
