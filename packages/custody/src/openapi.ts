// The OpenAPI 3.1 document of a custody service, generated from its command table: the body
// schemas are the zod schemas the service validates with (zod's JSON Schema output is 2020-12,
// OpenAPI 3.1's dialect), and every operation carries the command's own example.
import { z } from 'zod';
import type { CommandDefinition, ServiceName } from '@milkchain/domain';

const TITLES: Record<ServiceName, { zh: string; en: string }> = {
  farm: { zh: '牧场服务：牲畜、用药、挤奶收集与运输交接', en: 'Farm service: animals, treatments, milk collections and handovers' },
  processor: { zh: '加工服务：收奶、生产批次、包装批号、暂停与放行', en: 'Processor service: receptions, production batches, packing lots, hold and release' },
  lab: { zh: '检验服务：抽样、检测结果与签名证书', en: 'Lab service: samples, results and signed certificates' },
  logistics: { zh: '物流与零售服务：发货、冷链温度、收货与销售', en: 'Logistics and retail service: shipments, cold chain, receipts and sales' },
  trace: { zh: '追溯服务：召回的启动、确认与关闭', en: 'Trace service: recalls started, acknowledged and closed' },
};

const problem = {
  description: 'application/problem+json (RFC 9457) naming the field or rule',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return { type: 'object' };
  }
}

export function openApiDocument(service: ServiceName, defs: readonly CommandDefinition[], serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const security = [{ bearer: [] }];
  for (const def of defs) {
    paths[`/${service}/v1${def.path}`] = {
      post: {
        operationId: def.name,
        summary: `${def.summary['zh-CN']} / ${def.summary.en}`,
        description: `Roles: ${def.roles.join(', ')}. Answers 202 with the event ids and a status URL, or 201 with the ledger receipts under \`Prefer: wait=N\`.`,
        security,
        parameters: [{ $ref: '#/components/parameters/Prefer' }],
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.schema), example: def.example } } },
        responses: {
          '201': { description: 'Sequenced: receipts included', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } },
          '202': { description: 'Accepted: signed and stored, on its way to the ledger', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } },
          '400': problem,
          '401': problem,
          '403': problem,
          '404': problem,
          '409': problem,
          '415': problem,
          '422': problem,
        },
      },
    };
  }
  const first = defs[0];
  paths[`/${service}/v1/batch`] = {
    post: {
      operationId: `${service}.batch`,
      summary: '批量提交（全部成功或全部不写入） / Several commands at once, all or nothing',
      security,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['commands'],
              additionalProperties: false,
              properties: {
                commands: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 500,
                  items: { type: 'object', required: ['command', 'body'], properties: { command: { enum: defs.map((d) => d.name) }, body: { type: 'object' } } },
                },
              },
            },
            example: first ? { commands: [{ command: first.name, body: first.example }] } : undefined,
          },
        },
      },
      responses: { '201': { description: 'Sequenced' }, '202': { description: 'Accepted' }, '400': problem, '401': problem, '403': problem, '409': problem, '422': problem },
    },
  };
  paths[`/${service}/v1/commands/{id}`] = {
    get: {
      operationId: `${service}.command`,
      summary: '指令状态 / What became of a command (accepted, sequenced or refused)',
      security,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: { '200': { description: 'The command', content: { 'application/json': { example: { id: '7d1c…', status: 'sequenced', eventIds: ['…'] } } } }, '404': problem },
    },
  };
  paths[`/${service}/v1/objects`] = {
    get: {
      operationId: `${service}.objects`,
      summary: '本组织的对象 / Objects your organisation made or holds',
      security,
      parameters: [
        { name: 'type', in: 'query', schema: { enum: ['animal', 'collection', 'load', 'batch', 'lot', 'sample', 'shipment'] } },
        { name: 'status', in: 'query', schema: { enum: ['active', 'held', 'rejected', 'closed'] } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        { name: 'before', in: 'query', schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'Objects, newest subject first, with a `next` link' }, '400': problem, '401': problem },
    },
  };
  paths[`/${service}/v1/objects/{subject}`] = {
    get: {
      operationId: `${service}.object`,
      summary: '一个对象及其事件 / One object and its events',
      security,
      parameters: [{ name: 'subject', in: 'path', required: true, schema: { type: 'string' }, example: 'urn:milkchain:lot:06901234000016:261123P1B' }],
      responses: { '200': { description: 'The object' }, '404': problem },
    },
  };
  paths[`/${service}/v1/receipts/{id}`] = {
    get: {
      operationId: `${service}.receipt`,
      summary: '事件凭证（可离线验证的签名证书） / The receipt of an event: a signed certificate that verifies offline',
      security,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }],
      responses: { '200': { description: 'Receipt: event, signature, inclusion proof, checkpoint' }, '404': problem },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: `milkchain ${service}`, version: '1', description: `${TITLES[service].zh} / ${TITLES[service].en}` },
    servers: [{ url: serverUrl ?? '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (EdDSA, issued by /identity/v1/token)' } },
      parameters: {
        Prefer: { name: 'Prefer', in: 'header', schema: { type: 'string' }, example: 'wait=5', description: 'RFC 7240: wait up to N seconds for the ledger and answer 201 with receipts' },
      },
      schemas: {
        Accepted: {
          type: 'object',
          properties: {
            command: { type: 'string', format: 'uuid' },
            status: { enum: ['accepted', 'sequenced'] },
            statusUrl: { type: 'string' },
            events: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, subject: { type: 'string' }, receipt: { type: 'object' } } } },
          },
        },
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            detail: { type: 'string' },
            problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
            rule: { type: 'string' },
            source: { type: 'string' },
          },
        },
      },
    },
  };
}
