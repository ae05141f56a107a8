// The OpenAPI 3.1 document served at GET /identity/openapi.json. Request bodies come from the
// zod schemas that validate them (z.toJSONSchema), so the document cannot drift from the checks.
import { z } from 'zod';
import { createClientSchema, createOrgSchema, createUserSchema, keysRequestSchema, patchOrgSchema, signRequestSchema, tokenRequestSchema } from './schemas.ts';

const schema = (s: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const problem = (description: string, code: string, detail: string) => ({
  description,
  content: { 'application/problem+json': { schema: PROBLEM, example: { type: `https://milkchain.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`, code, detail } } },
});
const BAD = problem('请求内容有误 / bad input: the problem names each field', 'VALIDATION_FAILED', 'password: password must be at least 10 characters long');
const UNAUTH = problem('缺少或无效的访问令牌 / missing or invalid access token', 'UNAUTHENTICATED', '令牌已过期 / the token has expired; get a new one');
const FORBIDDEN = problem('没有权限 / not allowed', 'FORBIDDEN', '只有平台管理员可以这样做 / only platform admins may do this');
const NOT_FOUND = problem('未找到 / no such organisation', 'NOT_FOUND', '没有这个组织 / no organisation org_demo_farm');
const json = (example: unknown, ref?: string) => ({ 'application/json': { ...(ref ? { schema: { $ref: ref } } : {}), example } });
const body = (s: z.ZodType, example: unknown) => ({ required: true, content: { 'application/json': { schema: schema(s), example } } });
const ORG_PARAM = { name: 'org', in: 'path', required: true, schema: { type: 'string', pattern: '^org_[a-z0-9_-]{2,60}$' }, example: 'org_demo_farm' };
const BEARER = [{ bearer: [] }];

const orgExample = {
  id: 'org_demo_farm',
  roles: ['farm'],
  name: { 'zh-CN': '敕勒川生态牧场', en: 'Chilechuan Eco Ranch' },
  region: { name: '内蒙古自治区呼和浩特市土默特左旗', code: '150121' },
  gln: '6901234000018',
  uscc: '91150121MA0N3X7K2P',
  licences: [{ type: 'raw_milk_purchase', number: '蒙生乳收150121-0001', expiresAt: '2028-12-31' }],
  accreditations: [],
  status: 'active',
  signing: 'custodial',
};
const { id: _id, status: _status, signing: _signing, ...createOrgExample } = orgExample;
const keyExample = {
  kid: 'Mh3sQ3tKp2yTz6N0u3y8X0a4yGv7zJ9c2k1L5bWm8Qo',
  jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'Mh3sQ3tKp2yTz6N0u3y8X0a4yGv7zJ9c2k1L5bWm8Qo', alg: 'EdDSA', use: 'sig' },
  origin: 'custodial',
  active: true,
  createdAt: '2026-11-23T06:10:00.000Z',
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'milkchain identity',
      version: '1',
      description:
        '组织、用户、API 客户端、访问令牌与组织签名密钥。Organisations, users, API clients, access tokens (EdDSA JWT, typ at+jwt, 15 minutes) and organisation signing keys. Errors are application/problem+json (RFC 9457) with a stable code.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            detail: { type: 'string' },
            problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
    paths: {
      '/identity/v1/token': {
        post: {
          operationId: 'token',
          summary: '获取访问令牌 / get an access token (password or client credentials grant)',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: schema(tokenRequestSchema), example: { grant_type: 'password', username: 'chilechuan.admin', password: 'correct horse battery', audience: ['farm'] } },
              'application/x-www-form-urlencoded': { schema: schema(tokenRequestSchema), example: 'grant_type=client_credentials&client_id=cli_0f3a9c2b1e&client_secret=…' },
            },
          },
          responses: {
            '200': { description: 'the token', content: json({ access_token: 'eyJhbGciOiJFZERTQSIsImtpZCI6Ik1oM3MuLi4iLCJ0eXAiOiJhdCtqd3QifQ.…', token_type: 'Bearer', expires_in: 900 }) },
            '400': BAD,
            '401': problem('用户名或密码错误，或组织已停用 / wrong credentials, or the organisation is suspended', 'UNAUTHENTICATED', '用户名或密码错误 / the user name or password is wrong'),
          },
        },
      },
      '/identity/v1/jwks.json': {
        get: {
          operationId: 'jwks',
          summary: '访问令牌公钥 / the keys access tokens are signed with (kid = RFC 7638 thumbprint)',
          responses: { '200': { description: 'JWK set', content: json({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '…', kid: '…', alg: 'EdDSA', use: 'sig' }] }) } },
        },
      },
      '/identity/v1/orgs': {
        get: {
          operationId: 'listOrgs',
          summary: '组织列表（公开）/ list organisations (public profiles)',
          parameters: [{ name: 'role', in: 'query', required: false, schema: { type: 'string' }, example: 'farm' }],
          responses: { '200': { description: 'public profiles', content: json({ orgs: [orgExample] }) }, '400': BAD },
        },
        post: {
          operationId: 'createOrg',
          summary: '创建组织（平台管理员）/ create an organisation (platform admin); makes its signing key and registers it with the ledger',
          security: BEARER,
          requestBody: body(createOrgSchema, { id: 'org_demo_farm', ...createOrgExample }),
          responses: {
            '201': { description: 'created, with its public key', content: json({ ...orgExample, keys: [keyExample] }) },
            '400': BAD,
            '401': UNAUTH,
            '403': FORBIDDEN,
            '409': problem('已存在 / the id or 统一社会信用代码 is taken', 'CONFLICT', '组织 org_demo_farm 已存在 / organisation org_demo_farm already exists'),
            '503': problem('账本不可用 / the ledger could not register the key; nothing changed', 'UNAVAILABLE', '无法向账本登记组织密钥 / could not register the organisation key with the ledger'),
          },
        },
      },
      '/identity/v1/orgs/{org}': {
        parameters: [ORG_PARAM],
        get: {
          operationId: 'getOrg',
          summary: '组织公开资料 / an organisation’s public profile (no personal data)',
          responses: { '200': { description: 'public profile', content: json(orgExample) }, '404': NOT_FOUND },
        },
        patch: {
          operationId: 'patchOrg',
          summary: '修改组织（平台管理员）/ change status or profile (platform admin)',
          security: BEARER,
          requestBody: body(patchOrgSchema, { status: 'suspended' }),
          responses: { '200': { description: 'the changed profile', content: json({ ...orgExample, status: 'suspended' }) }, '400': BAD, '401': UNAUTH, '403': FORBIDDEN, '404': NOT_FOUND },
        },
      },
      '/identity/v1/orgs/{org}/users': {
        parameters: [ORG_PARAM],
        post: {
          operationId: 'createUser',
          summary: '创建用户（平台管理员或本组织管理员）/ create a user (platform admin or the organisation’s admin)',
          security: BEARER,
          requestBody: body(createUserSchema, { username: 'chilechuan.milker', password: 'correct horse battery', displayName: '巴特尔', phone: '+86 138 0471 0000', roles: ['farm'] }),
          responses: {
            '201': { description: 'the user (no password, no phone)', content: json({ id: 'usr_5d1c0e9a7b3f2a4c6e8d', org: 'org_demo_farm', username: 'chilechuan.milker', displayName: '巴特尔', roles: ['farm'] }) },
            '400': BAD,
            '401': UNAUTH,
            '403': FORBIDDEN,
            '404': NOT_FOUND,
            '409': problem('用户名已被使用 / the user name is taken', 'CONFLICT', '用户名 chilechuan.milker 已被使用 / the user name chilechuan.milker is taken'),
          },
        },
      },
      '/identity/v1/orgs/{org}/clients': {
        parameters: [ORG_PARAM],
        post: {
          operationId: 'createClient',
          summary: '创建 API 客户端 / create an API client; the secret is shown only in this answer',
          security: BEARER,
          requestBody: body(createClientSchema, { name: '挤奶厅传感器网关 / milking parlour gateway', roles: ['farm'] }),
          responses: {
            '201': { description: 'client id and secret (once)', content: json({ client_id: 'cli_0f3a9c2b1e7d4a5b6c8e', client_secret: 'kq9…', org: 'org_demo_farm', name: '挤奶厅传感器网关 / milking parlour gateway', roles: ['farm'] }) },
            '400': BAD,
            '401': UNAUTH,
            '403': FORBIDDEN,
            '404': NOT_FOUND,
          },
        },
      },
      '/identity/v1/orgs/{org}/keys': {
        parameters: [ORG_PARAM],
        get: {
          operationId: 'listKeys',
          summary: '组织签名公钥 / the organisation’s public signing keys',
          responses: { '200': { description: 'public halves only', content: json({ keys: [keyExample] }) }, '404': NOT_FOUND },
        },
        post: {
          operationId: 'changeKeys',
          summary: '轮换或自带密钥 / rotate the custodial key, or register the organisation’s own public key (it then signs for itself)',
          security: BEARER,
          requestBody: body(keysRequestSchema, { rotate: true }),
          responses: {
            '201': { description: 'the new key and the organisation', content: json({ org: orgExample, key: keyExample }) },
            '400': BAD,
            '401': UNAUTH,
            '403': FORBIDDEN,
            '404': NOT_FOUND,
            '503': problem('账本不可用 / the ledger could not register the key', 'UNAVAILABLE', '无法向账本登记组织密钥 / could not register the organisation key with the ledger'),
          },
        },
      },
      '/identity/v1/orgs/{org}/signatures': {
        parameters: [ORG_PARAM],
        post: {
          operationId: 'signEvents',
          summary: '用组织密钥签名事件 id / sign event ids with the organisation key (only with a token of that organisation)',
          security: BEARER,
          requestBody: body(signRequestSchema, { ids: ['5f2b0c8e3a1d4f6b9c7e2a0d1b3c5e7f9a8b6c4d2e0f1a3b5c7d9e8f6a4b2c0d'] }),
          responses: {
            '200': { description: 'one detached compact JWS per id, in order', content: json({ signatures: ['eyJhbGciOiJFZERTQSIsImtpZCI6Ik1oM3MuLi4ifQ..Qm9ndXNTaWduYXR1cmU'] }) },
            '400': BAD,
            '401': UNAUTH,
            '403': problem('不是本组织的令牌 / the token belongs to another organisation', 'FORBIDDEN', '只能为自己的组织签名 / you may sign only for your own organisation'),
            '404': NOT_FOUND,
            '409': problem('组织自行签名 / the organisation signs its own events', 'CONFLICT', '组织 org_demo_farm 自行签名：请把签好名的事件提交到 /ledger/v1/submissions / … submit signed events to /ledger/v1/submissions'),
          },
        },
      },
    },
  };
}
