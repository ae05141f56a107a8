// OpenAPI paths of the public resolver (GS1 Digital Links of lots, the consumer page, the linkset),
// its verification bundle and the page's script, spread into the trace service's document
// (src/openapi.ts). Public: no token; rate limited per client IP (429 with Retry-After).
import { BUNDLE_PREFIX } from './router.ts';
import { GS1, LINKSET_TYPE } from './linkset.ts';
import { SCRIPT_PREFIX } from './script.ts';

const EXAMPLE = { gtin: '06901234100020', lot: 'U1261103', serial: 'COPY0001', base: 'https://id.milkchain.local' };
const examplePath = `/01/${EXAMPLE.gtin}/10/${EXAMPLE.lot}`;

const problem = (description: string, example?: Record<string, unknown>) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, ...(example ? { example } : {}) } },
});

/** A friendly bilingual HTML page for people, a problem document for linkset and JSON clients. */
const pageOrProblem = (description: string, example: Record<string, unknown>) => ({
  description,
  content: {
    'text/html': { schema: { type: 'string' }, example: '<!doctype html><html lang="zh-CN">…<h1><span lang="zh-CN">未找到此产品批次</span><span lang="en">We could not find this product lot</span></h1>…' },
    'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, example },
  },
});

const tooMany = {
  ...pageOrProblem('请求过于频繁 / Too many requests from this client (per IP); `Retry-After` says when to try again', {
    type: 'https://milkchain.dev/problems/rate-limited',
    title: 'Too Many Requests',
    status: 429,
    code: 'RATE_LIMITED',
    detail: '请求过于频繁，请 3 秒后再试。 / Too many requests; try again in 3 s.',
  }),
  headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds' } },
};

const lotParams = [
  { name: 'gtin', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{8}$|^\\d{12,14}$' }, description: 'GTIN-8, -12, -13 or -14 with its check digit (answered 301 to the GTIN-14 form)', example: EXAMPLE.gtin },
  { name: 'lot', in: 'path', required: true, schema: { type: 'string', maxLength: 20 }, description: 'AI 10, batch or lot number (percent-encoded)', example: EXAMPLE.lot },
];
const langParam = { name: 'lang', in: 'query', schema: { enum: ['zh-CN', 'en'] }, description: 'The page\'s language (default zh-CN); both languages are in the document, this one shown' };
const acceptParam = {
  name: 'Accept',
  in: 'header',
  schema: { type: 'string' },
  description: `\`${LINKSET_TYPE}\` (or \`application/json\`) for the RFC 9264 linkset; anything else (a browser) gets the consumer page.`,
};

const linksetExample = {
  linkset: [
    {
      anchor: `${EXAMPLE.base}${examplePath}`,
      [`${GS1}pip`]: [{ href: `${EXAMPLE.base}${examplePath}`, type: 'text/html', hreflang: ['zh-CN', 'en'], title: '青城纯牛奶 批号 U1261103', 'title*': [{ value: '青城纯牛奶 批号 U1261103', language: 'zh-CN' }, { value: '青城纯牛奶 lot U1261103', language: 'en' }] }],
      [`${GS1}defaultLink`]: [{ href: `${EXAMPLE.base}${examplePath}`, type: 'text/html', hreflang: ['zh-CN', 'en'] }],
      [`${GS1}traceability`]: [{ href: `${EXAMPLE.base}${BUNDLE_PREFIX}${examplePath}`, type: 'application/json', title: '验证数据包：事件、签名、包含证明与签名检查点' }],
      [`${GS1}certificationInfo`]: [{ href: `${EXAMPLE.base}${examplePath}#lab`, type: 'text/html', hreflang: ['zh-CN', 'en'], title: '检验结果' }],
    },
  ],
};

const linksetSchema = {
  type: 'object',
  required: ['linkset'],
  description: `RFC 9264 linkset; link relations from the GS1 Web Vocabulary (${GS1}): recallStatus (first, while a recall or hold stands), pip, defaultLink, traceability (the verification bundle), certificationInfo (lab results), epcis (when served).`,
  properties: {
    linkset: {
      type: 'array',
      items: {
        type: 'object',
        required: ['anchor'],
        properties: { anchor: { type: 'string', format: 'uri' } },
        additionalProperties: {
          type: 'array',
          items: {
            type: 'object',
            required: ['href'],
            properties: {
              href: { type: 'string', format: 'uri' },
              type: { type: 'string' },
              hreflang: { type: 'array', items: { type: 'string' } },
              title: { type: 'string' },
              'title*': { type: 'array', items: { type: 'object', properties: { value: { type: 'string' }, language: { type: 'string' } } } },
            },
          },
        },
      },
    },
  },
};

const notFound = pageOrProblem('未找到此产品批次 / No such lot: a friendly bilingual page (or a problem for linkset clients)', {
  type: 'https://milkchain.dev/problems/not-found',
  title: 'Not Found',
  status: 404,
  code: 'NOT_FOUND',
  detail: `没有 GTIN ${EXAMPLE.gtin} 批号 NOSUCHLOT 的记录。… / There is no record of GTIN ${EXAMPLE.gtin}, lot NOSUCHLOT. …`,
});
const badLink = pageOrProblem('这个二维码链接有误 / A malformed Digital Link (check digit, qualifier order, characters), naming what is wrong', {
  type: 'https://milkchain.dev/problems/validation-failed',
  title: 'Bad Request',
  status: 400,
  code: 'VALIDATION_FAILED',
  detail: 'GTIN 校验位错误 / the GTIN check digit is wrong (at "06901234100021")',
  digitalLinkError: 'CHECK_DIGIT',
  problems: [{ path: '06901234100021', message: 'the GTIN check digit is wrong' }],
});
const moved = (description: string, location: string) => ({ description, headers: { Location: { schema: { type: 'string' }, example: location } } });

export function resolverPaths(): Record<string, unknown> {
  return {
    '/01/{gtin}/10/{lot}': {
      get: {
        operationId: 'resolver.lot',
        tags: ['resolver'],
        summary: '扫码：产品页或链接集 / A lot\'s GS1 Digital Link: the consumer page (browsers) or its RFC 9264 linkset',
        description:
          'Public. The page is server-rendered (zh-CN by default, English one tap away), leads with a copy warning, then any recall or hold, and carries its verification bundle\'s path for the browser to check. ' +
          '`?serial=` (set by the 303 from a serialised code) adds that code\'s scan verdict: a bilingual warning when the code was scanned in too many places or too often. ' +
          'A non-canonical form (a GTIN-13, say) is answered 301 to the canonical path, query kept. `Vary: Accept`.',
        parameters: [
          ...lotParams,
          langParam,
          { name: 'serial', in: 'query', schema: { type: 'string', maxLength: 20 }, description: 'A serialised code of this lot (AI 21) whose scan verdict the page shows', example: EXAMPLE.serial },
          acceptParam,
        ],
        responses: {
          '200': {
            description: 'The consumer page, or the linkset',
            content: {
              'text/html': {
                schema: { type: 'string' },
                example: `<!doctype html><html lang="zh-CN">…<main id="page" data-bundle="${BUNDLE_PREFIX}${examplePath}" data-lot="urn:milkchain:lot:${EXAMPLE.gtin}:${EXAMPLE.lot}" data-serial="${EXAMPLE.serial}"><section id="copy-warning" class="alert" role="alert"><p class="headline" lang="zh-CN">⚠ 此码已在多地被扫描，可能是仿冒品</p><p class="headline" lang="en">⚠ This code has been scanned in many places; it may be a copy</p>…`,
              },
              [LINKSET_TYPE]: { schema: linksetSchema, example: linksetExample },
            },
          },
          '301': moved('To the canonical Digital Link (GTIN-14, qualifiers in order)', `${examplePath}?lang=en`),
          '400': badLink,
          '404': notFound,
          '429': tooMany,
          '503': pageOrProblem('暂时无法显示 / The ledger or identity did not answer', { type: 'https://milkchain.dev/problems/unavailable', title: 'Service Unavailable', status: 503, code: 'UNAVAILABLE', detail: '暂时无法显示 / not available right now' }),
        },
      },
    },
    '/01/{gtin}/10/{lot}/21/{serial}': {
      get: {
        operationId: 'resolver.serial',
        tags: ['resolver'],
        summary: '扫描单件码：计数并转到其批次 / A serialised unit\'s Digital Link: the scan is counted, then 303 to its lot with `?serial=`',
        description:
          'Public. milkchain issues no serials per unit yet, so every serial of a known lot is walked up to its lot (303, for page and linkset clients alike), with `serial` added to the query (other parameters kept); the lot\'s page then shows the code\'s scan verdict. ' +
          'Each GET of a known lot counts one scan outside the ledger with a coarse place only (the edge\'s `X-Geo-Region` header, else the country of `Accept-Language`); no address, no device. HEAD is not counted. An unknown lot is 404 and counts nothing.',
        parameters: [
          ...lotParams,
          { name: 'serial', in: 'path', required: true, schema: { type: 'string', maxLength: 20 }, description: 'AI 21, serial number', example: EXAMPLE.serial },
          langParam,
          acceptParam,
          { name: 'X-Geo-Region', in: 'header', schema: { type: 'string', maxLength: 64 }, description: 'Set by the edge in front of the resolver: a city or province (e.g. `CN-NM`, `呼和浩特`), never finer', example: 'CN-NM' },
        ],
        responses: {
          '301': moved('To the canonical Digital Link', `/01/${EXAMPLE.gtin}/10/${EXAMPLE.lot}/21/${EXAMPLE.serial}`),
          '303': moved('The serial is not issued: to its lot, carrying the serial', `${examplePath}?serial=${EXAMPLE.serial}`),
          '400': badLink,
          '404': notFound,
          '429': tooMany,
        },
      },
    },
    [`${BUNDLE_PREFIX}/01/{gtin}/10/{lot}`]: {
      get: {
        operationId: 'resolver.bundle',
        tags: ['resolver'],
        summary: '验证数据包 / The lot\'s verification bundle: its lineage events with signatures and inclusion proofs against one signed checkpoint',
        description:
          'Public. What the consumer page\'s script verifies with packages/ledger\'s verifier: every event\'s hash, every chain link back to the farms, each inclusion proof against the one checkpoint, the checkpoint\'s signature against the log\'s keys. Built once per lineage version (cached; a new event on the lineage drops it).',
        parameters: lotParams,
        responses: {
          '200': { description: 'The bundle', content: { 'application/json': { schema: { $ref: '#/components/schemas/VerificationBundle' }, example: bundleExample() } } },
          '400': problem('A malformed Digital Link'),
          '404': problem('No such lot', { type: 'https://milkchain.dev/problems/not-found', title: 'Not Found', status: 404, code: 'NOT_FOUND', detail: `未找到此批次 / no lot ${EXAMPLE.gtin} NOSUCHLOT is known` }),
          '429': { ...problem('Too many requests from this client'), headers: tooMany.headers },
          '503': problem('The ledger or identity did not answer'),
        },
      },
    },
    [`${SCRIPT_PREFIX}page.{hash}.js`]: {
      get: {
        operationId: 'resolver.script',
        tags: ['resolver'],
        summary: '产品页脚本 / The consumer page\'s script (language switch, in-browser verification); immutable, named by its content hash',
        parameters: [{ name: 'hash', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' }, example: 'b331fc58280f2b3e' }],
        responses: {
          '200': { description: 'The script (`Cache-Control: immutable`)', content: { 'text/javascript': { schema: { type: 'string' } } } },
          '404': problem('Not the current script'),
        },
      },
    },
  };
}

function bundleExample(): Record<string, unknown> {
  return {
    v: 1,
    lot: `urn:milkchain:lot:${EXAMPLE.gtin}:${EXAMPLE.lot}`,
    uri: `${EXAMPLE.base}${examplePath}`,
    builtAt: '2026-11-04T08:00:00.000Z',
    checkpoint: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImxvZy0xIn0.eyJ0cmVlU2l6ZSI6MTI0MCwicm9vdEhhc2giOiIuLi4ifQ.c2lnbmF0dXJl',
    treeSize: 1240,
    logKeys: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'log-1' }] },
    orgKeys: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', kid: 'org_hohhot_dairy-1', org: 'org_hohhot_dairy' }] },
    orgs: {
      org_hohhot_dairy: {
        id: 'org_hohhot_dairy',
        roles: ['processor'],
        name: { 'zh-CN': '呼和浩特青城乳业有限公司', en: 'Qingcheng Dairy Co., Hohhot' },
        region: { name: '内蒙古自治区呼和浩特市赛罕区', code: '150105' },
        licences: [{ type: 'SC', number: 'SC10515010500318', expiresAt: '2029-12-31' }],
      },
    },
    entries: [
      {
        seq: 1201,
        id: 'da49e891c07763fa7c57f7b78ea1379a72c0176c582d0726632957ac1f605d80',
        event: {
          v: 1,
          kind: 'lot.packed',
          kindVersion: 1,
          org: 'org_hohhot_dairy',
          subject: `urn:milkchain:lot:${EXAMPLE.gtin}:${EXAMPLE.lot}`,
          prev: null,
          inputs: ['cc951509744cb6257b8d115e55803cd88880813a8cca949aa4830439926c8f70'],
          occurredAt: '2026-11-03T16:00:00+08:00',
          data: { gtin: EXAMPLE.gtin, lot: EXAMPLE.lot, units: 24000 },
        },
        signature: { alg: 'EdDSA', kid: 'org_hohhot_dairy-1', sig: '…' },
        proof: ['9f3c…', '41aa…'],
      },
    ],
  };
}

/** Component schemas the resolver's paths refer to. */
export function resolverSchemas(): Record<string, unknown> {
  return {
    VerificationBundle: {
      type: 'object',
      required: ['v', 'lot', 'uri', 'builtAt', 'checkpoint', 'treeSize', 'logKeys', 'orgKeys', 'orgs', 'entries'],
      properties: {
        v: { const: 1 },
        lot: { type: 'string', description: '`urn:milkchain:lot:<gtin14>:<lot>`' },
        uri: { type: 'string', format: 'uri', description: 'The lot\'s Digital Link on the resolver' },
        builtAt: { type: 'string', format: 'date-time' },
        checkpoint: { type: 'string', description: 'Compact JWS of the one checkpoint every proof leads to' },
        treeSize: { type: 'integer' },
        logKeys: { type: 'object', description: 'The log\'s JWKS', properties: { keys: { type: 'array', items: { type: 'object' } } } },
        orgKeys: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object', required: ['kid', 'org'], properties: { kid: { type: 'string' }, org: { type: 'string' } } } } } },
        orgs: { type: 'object', description: 'Public profiles of the signing organisations (shown, not verified)', additionalProperties: { type: 'object' } },
        entries: {
          type: 'array',
          description: 'The lot\'s backward lineage down to the farm collections, its samples and results, shipments and recalls, in ledger order',
          items: {
            type: 'object',
            required: ['seq', 'id', 'event', 'signature', 'proof'],
            properties: {
              seq: { type: 'integer' },
              id: { type: 'string', pattern: '^[0-9a-f]{64}$' },
              event: { type: 'object', required: ['v', 'kind', 'kindVersion', 'org', 'subject', 'prev', 'inputs', 'occurredAt', 'data'] },
              signature: { type: 'object' },
              proof: { type: 'array', items: { type: 'string' }, description: 'RFC 6962 inclusion proof (hex) of leaf `seq` in the checkpoint\'s tree' },
            },
          },
        },
      },
    },
  };
}
