// OpenAPI paths of EPCIS (export and capture) and the regulator's view, spread into the trace
// service's document (src/openapi.ts).
const problem = { description: 'application/problem+json (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const security = [{ bearer: [] }];
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const window = [
  { name: 'from', in: 'query', schema: { type: 'string' }, description: 'YYYY-MM-DD (China time) or an RFC 3339 time; default 30 days before `to`' },
  { name: 'to', in: 'query', schema: { type: 'string' }, description: 'YYYY-MM-DD (China time, inclusive) or an RFC 3339 time; default now' },
];
const reg = (operationId: string, summary: string, parameters: unknown[] = []) => ({
  get: { operationId, summary, description: 'Roles: regulator, admin.', security, parameters, responses: { '200': json(summary), '400': problem, '401': problem, '403': problem } },
});

export function epcisRegulatorPaths(): Record<string, unknown> {
  const epcisDoc = { description: 'EPCISDocument (EPCIS 2.0 JSON-LD)', content: { 'application/ld+json': { schema: { type: 'object' } } } };
  const exportOp = (operationId: string, parameters: unknown[]) => ({
    get: {
      operationId,
      summary: '以 EPCIS 2.0 文档导出对象及其上游的全部事件 / The subject\'s history with its lineage as an EPCIS 2.0 document',
      description: "Roles: regulator, processor, lab, admin, or the subject's own organisation. Events in log order.",
      security,
      parameters,
      responses: { '200': epcisDoc, '400': problem, '401': problem, '403': problem, '404': problem, '503': problem },
    },
  });
  return {
    '/trace/v1/epcis': exportOp('epcis.export', [{ name: 'subject', in: 'query', required: true, schema: { type: 'string' } }]),
    '/trace/v1/epcis/01/{gtin}/10/{lot}': exportOp('epcis.exportLot', [
      { name: 'gtin', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'lot', in: 'path', required: true, schema: { type: 'string' } },
    ]),
    '/epcis/v2/capture': {
      post: {
        operationId: 'epcis.capture',
        summary: '导入合作方的 EPCIS 文档（全部成功或全部拒绝）/ Capture a partner\'s EPCIS document (all or nothing)',
        description:
          "Validated against the EPCIS 2.0 schema (400 naming the pointer), mapped onto milkchain commands (422 naming the event index and field), eventIDs captured before refuse it (409 naming them). 202 with `captureID` and `Location: /epcis/v2/capture/{id}`; the commands then run through the custody services as the caller's organisation.",
        security,
        requestBody: { required: true, content: { 'application/ld+json': { schema: { type: 'object' } }, 'application/json': { schema: { type: 'object' } } } },
        responses: { '202': json('Accepted: the capture runs'), '400': problem, '401': problem, '409': problem, '422': problem },
      },
    },
    '/epcis/v2/capture/{id}': {
      get: {
        operationId: 'epcis.captureStatus',
        summary: '导入状态 / Capture status: running, success (custody command ids) or failed (the problem)',
        security,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: { '200': json('The capture'), '401': problem, '404': problem },
      },
    },
    '/trace/v1/regulator': reg('regulator.overview', '监管总览 / Everything the regulator\'s page shows', [...window, { name: 'bucket', in: 'query', schema: { enum: ['day', 'week'] } }]),
    '/trace/v1/regulator/recalls': reg('regulator.recalls', '进行中的召回及确认情况 / Open recalls with their acknowledgements'),
    '/trace/v1/regulator/holds': reg('regulator.holds', '暂停与召回中的对象 / Current holds'),
    '/trace/v1/regulator/nonconformities': reg('regulator.nonconformities', '不合格结果（按地区、检测项目与时间）/ Non-conformant results by region, analyte and time', [
      ...window,
      { name: 'bucket', in: 'query', schema: { enum: ['day', 'week'] } },
    ]),
    '/trace/v1/regulator/excursions': reg('regulator.excursions', '冷链超温 / Cold-chain excursions', window),
    '/trace/v1/regulator/ledger': reg('regulator.ledger', '账本最新检查点与最近一次审计 / The ledger\'s latest checkpoint and the last audit'),
    '/trace/v1/regulator/audits': {
      post: {
        operationId: 'regulator.audit',
        summary: '通过账本公开接口审计账本 / Audit the ledger through its public API (packages/ledger\'s verifier) and record the result',
        description: 'Roles: regulator, admin.',
        security,
        responses: { '201': json('The stored audit'), '401': problem, '403': problem, '503': problem },
      },
    },
  };
}

/**
 * The regulator's plain page (/regulator): server-rendered HTML for people, signed in by its own
 * form (an HttpOnly cookie scoped to /regulator, or a bearer token). Not an API; listed so the
 * document names every route the trace app serves.
 */
export function regulatorPagePaths(): Record<string, unknown> {
  const page = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
  const cookie = [{ bearer: [] }, { regulatorCookie: [] }];
  const back = (location: string) => ({ description: 'Back to the page', headers: { Location: { schema: { type: 'string' }, example: location } } });
  return {
    '/regulator': {
      get: {
        operationId: 'regulator.page',
        tags: ['regulator'],
        summary: '监管页面 / The regulator\'s page: open recalls, holds, non-conformities by region and analyte (a chart), excursions, the checkpoint and last audit',
        description: 'Roles: regulator, admin. Without a token or cookie: the sign-in form (401).',
        security: cookie,
        parameters: window,
        responses: { '200': page('The page'), '401': page('The sign-in form'), '403': problem },
      },
    },
    '/regulator/login': {
      post: {
        operationId: 'regulator.login',
        tags: ['regulator'],
        summary: '登录 / Sign in: the user name and password are exchanged at identity for a token (audience trace), kept in an HttpOnly cookie',
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string', writeOnly: true } } }, example: { username: 'samr.inspector', password: '••••••••' } } },
        },
        responses: { '303': back('/regulator'), '400': page('The form again, naming what is missing'), '401': page('The form again: wrong user name or password'), '403': page('The form again: no regulator or admin role'), '503': page('identity is not answering') },
      },
    },
    '/regulator/logout': {
      post: { operationId: 'regulator.logout', tags: ['regulator'], summary: '退出 / Sign out (clears the cookie)', responses: { '303': back('/regulator') } },
    },
    '/regulator/audit': {
      post: {
        operationId: 'regulator.auditForm',
        tags: ['regulator'],
        summary: '从页面审计账本 / Audit the ledger from the page (as POST /trace/v1/regulator/audits)',
        security: cookie,
        responses: { '303': back('/regulator#ledger'), '401': page('The sign-in form'), '403': problem },
      },
    },
  };
}
