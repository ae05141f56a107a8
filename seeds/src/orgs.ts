// The demo region's organisations, as identity profiles: who they are (names, region, GLN,
// 统一社会信用代码), what they may do (roles), the licences that allow it, and demo users.
//
// Every identifier here is made up but well-formed: GLNs and GTINs end in their GS1 check digit,
// 统一社会信用代码 in their GB 32100-2015 check character (and embed a GB 11714 organisation code
// with its own check character). The passwords are DEMO passwords for a local demo deployment,
// published on purpose; a real deployment never seeds them.
import { withGs1CheckDigit, type ProductType, type Role, type Species } from '@milkchain/domain';

export type LicenceType = 'SC' | 'workshop_registration' | 'raw_milk_purchase' | 'raw_milk_transport';

export interface WorldOrg {
  id: string;
  roles: Role[];
  name: { 'zh-CN': string; en: string };
  /** Where the organisation is registered: name and GB/T 2260 administrative division code. */
  region: { name: string; code: string };
  gln?: string;
  /** 统一社会信用代码 (GB 32100-2015). */
  uscc: string;
  licences: Array<{ type: LicenceType; number: string; expiresAt: string }>;
  /** Laboratory accreditations (CMA 资质认定, CNAS), for labs only. */
  accreditations?: Array<{ scheme: 'CMA' | 'CNAS'; number: string; expiresAt: string }>;
  /** The first user holds every role of the organisation (the one-process mode seeds the world as that user). */
  users: Array<{ username: string; password: string; displayName: string; phone: string; roles: Role[] }>;
}

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码 (GB 32100-2015) and the organisation code inside it (GB 11714-1997)
// ---------------------------------------------------------------------------------------------

/** GB 32100-2015 code characters: digits and capitals without I, O, Z, S, V; value = position. */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weight of position i (0-based) is 3^i mod 31. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * The check character (18th) of a 统一社会信用代码 whose first 17 characters are `body`
 * (GB 32100-2015 §4: C18 = 31 − (Σ Ci·Wi mod 31), 31 → 0). Throws on a malformed body.
 */
export function usccCheckChar(body: string): string {
  if (body.length !== 17) throw new RangeError('a 统一社会信用代码 body has 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_CHARS.indexOf(body[i]!);
    if (value < 0) throw new RangeError(`"${body[i]}" is not a 统一社会信用代码 character`);
    sum += value * USCC_WEIGHTS[i]!;
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31]!;
}

/** True when `code` is 18 code characters, positions 3–8 digits, ending in its check character. */
export function isUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}

const ORG_CODE_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * The check character (9th) of an organisation code (组织机构代码, GB 11714-1997) whose first 8
 * characters are `body`: C9 = 11 − (Σ Ci·Wi mod 11), 10 → X, 11 → 0.
 */
export function organisationCodeCheckChar(body: string): string {
  if (body.length !== 8) throw new RangeError('an organisation code body has 8 characters');
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const value = ORG_CODE_CHARS.indexOf(body[i]!);
    if (value < 0) throw new RangeError(`"${body[i]}" is not an organisation code character`);
    sum += value * ORG_CODE_WEIGHTS[i]!;
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/**
 * A complete 统一社会信用代码: registration authority and category (e.g. `91` company, `92`
 * individual business, `93` farmers' cooperative, `11` government body, `12` public institution),
 * the registering authority's division code, and an 8-character organisation code body.
 */
export function makeUscc(authorityAndCategory: string, division: string, orgCodeBody: string): string {
  const body = authorityAndCategory + division + orgCodeBody + organisationCodeCheckChar(orgCodeBody);
  return body + usccCheckChar(body);
}

// ---------------------------------------------------------------------------------------------
// GS1 keys
// ---------------------------------------------------------------------------------------------

/** GS1 company prefix of the processor (GS1 China range 690–699; fictitious). */
export const PROCESSOR_GS1_PREFIX = '6901234';
/**
 * The deployment's own GS1 company prefix: codes for organisations without one of their own
 * (farms, cooperatives, the traditional workshop), so their products still carry valid GTINs and
 * GS1 Digital Link URIs (ARCHITECTURE.md, "Identifiers and QR codes"). Fictitious.
 */
export const DEPLOYMENT_GS1_PREFIX = '6909876';
/** GS1 company prefix of the supermarket chain (fictitious). */
export const RETAIL_GS1_PREFIX = '6935678';

/** A GLN-13 under `prefix` for location `ref`. */
export function gln(prefix: string, ref: number): string {
  return withGs1CheckDigit(prefix + String(ref).padStart(12 - prefix.length, '0'));
}

/** A GTIN-14 (indicator 0) under `prefix` for item `ref`. */
export function gtin(prefix: string, ref: number): string {
  return withGs1CheckDigit('0' + prefix + String(ref).padStart(12 - prefix.length, '0'));
}

/** An SSCC-18 (extension digit 0) under `prefix` for serial `serial`. */
export function sscc(prefix: string, serial: number): string {
  return withGs1CheckDigit('0' + prefix + String(serial).padStart(16 - prefix.length, '0'));
}

// ---------------------------------------------------------------------------------------------
// The organisations
// ---------------------------------------------------------------------------------------------

export const ORG = {
  farmTumed: 'org_tumed_left_pasture',
  farmHoringer: 'org_horinger_pasture',
  farmTogtoh: 'org_togtoh_coop',
  camelCoop: 'org_urad_camel_coop',
  uxinHerders: 'org_uxin_herders_coop',
  workshop: 'org_uxin_dairy_workshop',
  collector: 'org_saihan_collect',
  processor: 'org_hohhot_dairy',
  intakeLab: 'org_nmg_dairy_lab',
  thirdPartyLab: 'org_nmg_cti_lab',
  carrier: 'org_caoyuan_coldchain',
  shopHohhot: 'org_qingcheng_mart',
  shopOrdos: 'org_ordos_kangbashi_mart',
  regulator: 'org_hohhot_samr',
} as const;

const user = (username: string, displayName: string, phone: string, roles: Role[]) => ({
  username,
  password: `demo-${username}-2026`, // demo only, see the header
  displayName,
  phone,
  roles,
});

export const WORLD_ORGS: WorldOrg[] = [
  {
    id: ORG.farmTumed,
    roles: ['farm'],
    name: { 'zh-CN': '土默特左旗敕勒川牧场有限公司', en: 'Chilechuan Pasture Co., Tumed Left Banner' },
    region: { name: '内蒙古自治区呼和浩特市土默特左旗', code: '150121' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 101),
    uscc: makeUscc('91', '150121', 'MA0TMD01'),
    licences: [],
    users: [user('tumed.farm', '巴特尔', '13904710101', ['farm'])],
  },
  {
    id: ORG.farmHoringer,
    roles: ['farm'],
    name: { 'zh-CN': '和林格尔县盛乐奶牛养殖场', en: 'Shengle Dairy Farm, Horinger County' },
    region: { name: '内蒙古自治区呼和浩特市和林格尔县', code: '150123' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 102),
    uscc: makeUscc('91', '150123', 'MA0HLG02'),
    licences: [],
    users: [user('horinger.farm', '王建国', '13904710102', ['farm'])],
  },
  {
    id: ORG.farmTogtoh,
    roles: ['farm'],
    name: { 'zh-CN': '托克托县河口奶牛养殖专业合作社', en: 'Hekou Dairy Farmers Cooperative, Togtoh County' },
    region: { name: '内蒙古自治区呼和浩特市托克托县', code: '150122' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 103),
    uscc: makeUscc('93', '150122', 'MA0TKT03'),
    licences: [],
    users: [user('togtoh.coop', '李秀兰', '13904710103', ['farm'])],
  },
  {
    // A cooperative may run its own collection and tanker (乳品质量安全监督管理条例 art. 20):
    // it hands its camel milk to the processor itself.
    id: ORG.camelCoop,
    roles: ['farm', 'collector'],
    name: { 'zh-CN': '乌拉特后旗戈壁红驼养殖专业合作社', en: 'Gobi Red Camel Herders Cooperative, Urad Rear Banner' },
    region: { name: '内蒙古自治区巴彦淖尔市乌拉特后旗', code: '150825' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 104),
    uscc: makeUscc('93', '150825', 'MA0WLT04'),
    licences: [
      { type: 'raw_milk_purchase', number: '蒙生乳收150825-0007', expiresAt: '2027-06-30' },
      { type: 'raw_milk_transport', number: '蒙准运150825-0012', expiresAt: '2027-06-30' },
    ],
    users: [
      // The cooperative's manager records both the milkings and the runs to Hohhot.
      user('urad.camel', '额尔敦', '13904780104', ['farm', 'collector']),
      user('urad.tanker', '苏和', '13904780114', ['collector']),
    ],
  },
  {
    id: ORG.uxinHerders,
    roles: ['farm', 'collector'],
    name: { 'zh-CN': '乌审旗无定河牧民奶牛专业合作社', en: 'Wuding River Herders Dairy Cooperative, Uxin Banner' },
    region: { name: '内蒙古自治区鄂尔多斯市乌审旗', code: '150626' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 105),
    uscc: makeUscc('93', '150626', 'MA0WXQ05'),
    licences: [
      { type: 'raw_milk_purchase', number: '蒙生乳收150626-0003', expiresAt: '2027-03-31' },
      { type: 'raw_milk_transport', number: '蒙准运150626-0009', expiresAt: '2027-03-31' },
    ],
    users: [
      user('uxin.herders', '乌云其木格', '13904770105', ['farm', 'collector']),
      user('uxin.milkrun', '朝鲁', '13904770115', ['collector']),
    ],
  },
  {
    // Registered under the region's small-workshop rules (食品生产加工小作坊登记证); no GS1
    // membership: its GTINs are under the deployment's prefix.
    id: ORG.workshop,
    roles: ['workshop'],
    name: { 'zh-CN': '乌审旗萨拉乌苏传统奶食品加工坊', en: 'Salawusu Traditional Dairy Workshop, Uxin Banner' },
    region: { name: '内蒙古自治区鄂尔多斯市乌审旗', code: '150626' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 106),
    uscc: makeUscc('92', '150626', 'MA0NDF06'),
    licences: [{ type: 'workshop_registration', number: '蒙食小作坊登字150626-0018', expiresAt: '2028-05-31' }],
    users: [user('uxin.workshop', '萨仁高娃', '13904770106', ['workshop'])],
  },
  {
    id: ORG.collector,
    roles: ['collector'],
    name: { 'zh-CN': '呼和浩特市赛罕区草原生鲜乳收购站', en: 'Caoyuan Raw Milk Collection Station, Saihan District' },
    region: { name: '内蒙古自治区呼和浩特市赛罕区', code: '150105' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 107),
    uscc: makeUscc('91', '150105', 'MA0XHK07'),
    licences: [
      { type: 'raw_milk_purchase', number: '蒙生乳收150105-0021', expiresAt: '2027-09-30' },
      { type: 'raw_milk_transport', number: '蒙准运150105-0031', expiresAt: '2027-09-30' },
    ],
    users: [
      user('saihan.station', '张海军', '13904710107', ['collector']),
      user('saihan.driver', '高志强', '13904710117', ['collector']),
    ],
  },
  {
    id: ORG.processor,
    roles: ['processor'],
    name: { 'zh-CN': '呼和浩特青城乳业有限公司', en: 'Qingcheng Dairy Co., Hohhot' },
    region: { name: '内蒙古自治区呼和浩特市赛罕区', code: '150105' },
    gln: gln(PROCESSOR_GS1_PREFIX, 1),
    uscc: makeUscc('91', '150100', 'MA0QCR08'),
    licences: [{ type: 'SC', number: 'SC10515010500318', expiresAt: '2029-12-31' }],
    users: [
      user('qingcheng.intake', '刘芳', '13904710108', ['processor']),
      user('qingcheng.qa', '赵敏', '13904710118', ['processor']),
    ],
  },
  {
    id: ORG.intakeLab,
    roles: ['lab'],
    name: { 'zh-CN': '青城乳业进厂检验室', en: 'Qingcheng Dairy Intake Laboratory' },
    region: { name: '内蒙古自治区呼和浩特市赛罕区', code: '150105' },
    gln: gln(PROCESSOR_GS1_PREFIX, 2),
    uscc: makeUscc('91', '150105', 'MA0QCL09'),
    licences: [],
    users: [user('intake.lab', '陈静', '13904710109', ['lab'])],
  },
  {
    id: ORG.thirdPartyLab,
    roles: ['lab'],
    name: { 'zh-CN': '内蒙古草原检验检测认证有限公司', en: 'Inner Mongolia Grassland Testing & Certification Co.' },
    region: { name: '内蒙古自治区呼和浩特市新城区', code: '150102' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 110),
    uscc: makeUscc('91', '150102', 'MA0CTJ10'),
    licences: [],
    accreditations: [
      { scheme: 'CMA', number: '221512340567', expiresAt: '2028-08-31' },
      { scheme: 'CNAS', number: 'CNAS L12345', expiresAt: '2028-08-31' },
    ],
    users: [user('cti.lab', '孟和', '13904710110', ['lab'])],
  },
  {
    id: ORG.carrier,
    roles: ['logistics'],
    name: { 'zh-CN': '内蒙古草原冷链物流有限公司', en: 'Caoyuan Cold Chain Logistics Co.' },
    region: { name: '内蒙古自治区呼和浩特市回民区', code: '150103' },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 111),
    uscc: makeUscc('91', '150103', 'MA0CCL11'),
    licences: [],
    users: [user('caoyuan.dispatch', '杨帆', '13904710111', ['logistics'])],
  },
  {
    id: ORG.shopHohhot,
    roles: ['retailer'],
    name: { 'zh-CN': '青城超市新城店', en: 'Qingcheng Mart, Xincheng (Hohhot)' },
    region: { name: '内蒙古自治区呼和浩特市新城区', code: '150102' },
    gln: gln(RETAIL_GS1_PREFIX, 12),
    uscc: makeUscc('91', '150102', 'MA0QCM12'),
    licences: [],
    users: [user('qingcheng.mart', '周丽', '13904710112', ['retailer'])],
  },
  {
    id: ORG.shopOrdos,
    roles: ['retailer'],
    name: { 'zh-CN': '鄂尔多斯康巴什民族特产超市', en: 'Kangbashi Local Specialties Mart (Ordos)' },
    region: { name: '内蒙古自治区鄂尔多斯市康巴什区', code: '150603' },
    gln: gln(RETAIL_GS1_PREFIX, 13),
    uscc: makeUscc('91', '150603', 'MA0KBX13'),
    licences: [],
    users: [user('kangbashi.mart', '娜仁', '13904770113', ['retailer'])],
  },
  {
    id: ORG.regulator,
    roles: ['regulator'],
    name: { 'zh-CN': '呼和浩特市市场监督管理局', en: 'Hohhot Administration for Market Regulation' },
    region: { name: '内蒙古自治区呼和浩特市', code: '150100' },
    uscc: makeUscc('11', '150100', '01151001'),
    licences: [],
    users: [user('hohhot.samr', '韩卫东', '13904710199', ['regulator'])],
  },
];

/** org id → roles, as `simulate` takes them. */
export function worldOrgRoles(): Map<string, Role[]> {
  return new Map(WORLD_ORGS.map((o) => [o.id, o.roles]));
}

export function worldOrg(id: string): WorldOrg {
  const org = WORLD_ORGS.find((o) => o.id === id);
  if (!org) throw new Error(`no demo organisation ${id}`);
  return org;
}

// ---------------------------------------------------------------------------------------------
// Products (trade items) and their GTINs
// ---------------------------------------------------------------------------------------------

export interface WorldProduct {
  key: string;
  org: string;
  gtin: string;
  productType: ProductType;
  species: Species;
  name: string;
  unitSize: { value: number; unit: 'mL' | 'L' | 'g' | 'kg' };
  shelfLifeDays: number;
  storage: string;
}

export const WORLD_PRODUCTS: readonly WorldProduct[] = [
  {
    key: 'pasteurised',
    org: ORG.processor,
    gtin: gtin(PROCESSOR_GS1_PREFIX, 10001),
    productType: 'pasteurised_milk',
    species: 'cow',
    name: '青城鲜牛奶 Qingcheng fresh pasteurised milk',
    unitSize: { value: 950, unit: 'mL' },
    shelfLifeDays: 7,
    storage: '2–6 °C 冷藏',
  },
  {
    key: 'uht',
    org: ORG.processor,
    gtin: gtin(PROCESSOR_GS1_PREFIX, 10002),
    productType: 'uht_milk',
    species: 'cow',
    name: '青城纯牛奶 Qingcheng UHT whole milk',
    unitSize: { value: 250, unit: 'mL' },
    shelfLifeDays: 180,
    storage: '常温 ambient, away from sunlight',
  },
  {
    key: 'yoghurt',
    org: ORG.processor,
    gtin: gtin(PROCESSOR_GS1_PREFIX, 10003),
    productType: 'yoghurt',
    species: 'cow',
    name: '青城原味酸奶 Qingcheng plain yoghurt',
    unitSize: { value: 200, unit: 'g' },
    shelfLifeDays: 21,
    storage: '2–6 °C 冷藏',
  },
  {
    key: 'camel',
    org: ORG.processor,
    gtin: gtin(PROCESSOR_GS1_PREFIX, 10004),
    productType: 'pasteurised_milk',
    species: 'camel',
    name: '戈壁鲜驼奶 Gobi fresh pasteurised camel milk',
    unitSize: { value: 250, unit: 'mL' },
    shelfLifeDays: 7,
    storage: '2–6 °C 冷藏',
  },
  {
    key: 'milk_tofu',
    org: ORG.workshop,
    gtin: gtin(DEPLOYMENT_GS1_PREFIX, 20001),
    productType: 'milk_tofu',
    species: 'cow',
    name: '萨拉乌苏奶豆腐 Salawusu milk tofu (aaruul-style fresh curd)',
    unitSize: { value: 500, unit: 'g' },
    shelfLifeDays: 30,
    storage: '0–6 °C 冷藏',
  },
  {
    key: 'milk_skin',
    org: ORG.workshop,
    gtin: gtin(DEPLOYMENT_GS1_PREFIX, 20002),
    productType: 'milk_skin',
    species: 'cow',
    name: '萨拉乌苏奶皮子 Salawusu milk skin (öröm)',
    unitSize: { value: 250, unit: 'g' },
    shelfLifeDays: 30,
    storage: '0–6 °C 冷藏',
  },
];

export function worldProduct(key: string): WorldProduct {
  const p = WORLD_PRODUCTS.find((x) => x.key === key);
  if (!p) throw new Error(`no demo product ${key}`);
  return p;
}
