// OpenAPI paths of recalls, webhook subscriptions and flagged scans (under /trace/v1, token needed),
// spread into the trace service's document (src/openapi.ts). Request bodies are generated from the
// zod schemas the router validates with, so the document cannot drift from the checks.
import { z } from 'zod';
import { DEFAULT_SCAN_THRESHOLDS } from '../scans/scans.ts';
import { RECALL_REQUEST_BODIES } from './router.ts';
import { RECALL_EVENT_KINDS } from './webhooks.ts';

function jsonSchema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const security = [{ bearer: [] }];
const problem = (description: string, example?: Record<string, unknown>) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, ...(example ? { example } : {}) } },
});
const json = (description: string, schema: unknown, example: unknown) => ({ description, content: { 'application/json': { schema, example } } });
const recallId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }, example: 'RC-20261110-AFM1' };
const prefer = { name: 'Prefer', in: 'header', schema: { type: 'string' }, description: '`wait=N` (seconds): answer 201 with the ledger\'s receipts once sequenced, or 202 after N seconds', example: 'wait=10' };

const LOT_EXAMPLE = { gtin: '06901234100020', lot: 'U1261110' };
const LAB_RESULT = '4c1f0e9d2b7a6c5e8f3d1a0b9c8e7d6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d';

const accepted = {
  type: 'object',
  required: ['recallId', 'url', 'command', 'status', 'events'],
  properties: {
    recallId: { type: 'string' },
    url: { type: 'string' },
    command: { type: 'string', description: 'The custody command id' },
    status: { enum: ['accepted', 'sequenced'] },
    events: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, subject: { type: 'string' }, receiptUrl: { type: 'string' }, receipt: { type: 'object' } } } },
  },
};
const acceptedExample = (kind: string) => ({
  recallId: 'RC-20261110-AFM1',
  url: '/trace/v1/recalls/RC-20261110-AFM1',
  command: '0b6f3c52-1f0e-4b8e-9a55-2f1d8c7e6a41',
  status: 'accepted',
  events: [{ id: '7e3a9c1b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a', kind, subject: 'urn:milkchain:recall:RC-20261110-AFM1', receiptUrl: '/ledger/v1/events/7e3a9c1b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a' }],
});
const writeResponses = (kind: string) => ({
  '201': json('Sequenced (with `Prefer: wait`): the events with their ledger receipts', accepted, { ...acceptedExample(kind), status: 'sequenced' }),
  '202': { ...json('Accepted: the command runs through the custody write path; `Location` is the recall', accepted, acceptedExample(kind)), headers: { Location: { schema: { type: 'string' } } } },
  '400': problem('The body does not validate (naming the fields)'),
  '401': problem('No or a bad token'),
  '403': problem('The role or organisation may not do this'),
  '404': problem('No such recall (or root)'),
  '409': problem('Conflicts with what is recorded (e.g. a recall id already used)'),
  '422': problem('A rule of the recall is broken (e.g. the root reaches no lot: recall.empty-scope; closing while holders have not acknowledged)'),
  '503': problem('This trace service writes no recalls (no signer or ledger configured)'),
});

const recallView = {
  type: 'object',
  properties: {
    recallId: { type: 'string' },
    subject: { type: 'string' },
    status: { enum: ['open', 'closed'] },
    initiator: { type: 'string' },
    initiatedAt: { type: 'string', format: 'date-time' },
    level: { enum: ['I', 'II', 'III'] },
    cause: { type: 'string' },
    action: { type: 'string' },
    root: { type: 'string' },
    lots: { type: 'array', items: { type: 'object', properties: { subject: { type: 'string' }, gtin: { type: 'string' }, lot: { type: 'string' }, holdingsAtRecall: { type: 'object' }, status: { type: ['string', 'null'] }, holdings: { type: 'object' } } } },
    holders: { type: 'array', items: { type: 'object', properties: { org: { type: 'string' }, acknowledged: { type: 'boolean' }, at: { type: ['string', 'null'] }, note: { type: ['string', 'null'] }, lotsHeld: { type: 'array' } } } },
    acknowledged: { type: 'integer' },
    pending: { type: 'array', items: { type: 'string' } },
    closed: { type: ['object', 'null'] },
    events: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, seq: { type: 'integer' }, kind: { type: 'string' }, org: { type: 'string' }, occurredAt: { type: 'string' } } } },
  },
};
const recallExample = {
  recallId: 'RC-20261110-AFM1',
  subject: 'urn:milkchain:recall:RC-20261110-AFM1',
  status: 'open',
  initiator: 'org_hohhot_samr',
  initiatedAt: '2026-11-10T09:00:00+08:00',
  level: 'I',
  cause: '黄曲霉毒素 M1 超标 / aflatoxin M1 above the limit',
  action: '停止销售并下架 / stop sale and withdraw',
  root: LAB_RESULT,
  lots: [{ subject: `urn:milkchain:lot:${LOT_EXAMPLE.gtin}:${LOT_EXAMPLE.lot}`, ...LOT_EXAMPLE, holdingsAtRecall: { org_qingcheng_mart: 480 }, status: 'recalled', holdings: { org_qingcheng_mart: 480 } }],
  holders: [{ org: 'org_qingcheng_mart', acknowledged: true, at: '2026-11-10T10:12:00+08:00', note: '已下架 480 盒 / 480 packs withdrawn', lotsHeld: [{ ...LOT_EXAMPLE, units: 480 }] }],
  acknowledged: 1,
  pending: [],
  closed: null,
  events: [{ id: '7e3a9c1b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a', seq: 5120, kind: 'recall.initiated', org: 'org_hohhot_samr', occurredAt: '2026-11-10T09:00:00+08:00' }],
};

const subscription = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, org: { type: 'string' }, url: { type: 'string', format: 'uri' }, events: { type: 'array', items: { enum: [...RECALL_EVENT_KINDS] } }, createdAt: { type: 'string', format: 'date-time' } },
};
const subscriptionExample = { id: '3d9f8a52-6c1b-4e0f-a7d2-9b5c4e3f2a10', org: 'org_qingcheng_mart', url: 'https://hooks.qingcheng-mart.example/milkchain', events: ['recall.initiated'], createdAt: '2026-11-02T08:00:00.000Z' };

const flagged = {
  type: 'object',
  properties: {
    thresholds: { type: 'object', properties: { maxPlaces: { type: 'integer' }, maxScans: { type: 'integer' }, windowHours: { type: 'number' } } },
    serials: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          gtin: { type: 'string' },
          lot: { type: 'string' },
          serial: { type: 'string' },
          scans: { type: 'integer' },
          recentScans: { type: 'integer' },
          places: { type: 'integer' },
          placeNames: { type: 'array', items: { type: 'string' } },
          lastScanAt: { type: 'string', format: 'date-time' },
          reasons: { type: 'array', items: { enum: ['scans.many-places', 'scans.too-often'] } },
        },
      },
    },
  },
};

export function recallScanPaths(): Record<string, unknown> {
  const b = RECALL_REQUEST_BODIES;
  return {
    '/trace/v1/recalls': {
      post: {
        operationId: 'recalls.start',
        tags: ['recalls'],
        summary: '发起召回 / Start a recall from any root; its scope (the lots made from the root, nothing else) is computed here',
        description: 'Roles: regulator, processor, workshop. Give `root` (a collection, load, batch, sample, lab result id …) or `farm` with `from` and `to`. The lots are held and every holder is notified through its webhooks.',
        security,
        parameters: [prefer],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: jsonSchema(b.start),
              example: { level: 'I', cause: '黄曲霉毒素 M1 超标 / aflatoxin M1 above the limit', description: '11 月 9 日晚班收奶罐车 / the evening load of 9 November', action: '停止销售并下架 / stop sale and withdraw', root: LAB_RESULT },
            },
          },
        },
        responses: writeResponses('recall.initiated'),
      },
      get: {
        operationId: 'recalls.list',
        tags: ['recalls'],
        summary: '召回列表 / Recalls: every one for regulators and admins; otherwise those the organisation started or holds lots of',
        security,
        parameters: [
          { name: 'status', in: 'query', schema: { enum: ['open', 'closed'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': json('The recalls', { type: 'object', properties: { recalls: { type: 'array', items: recallView } } }, { recalls: [recallExample] }),
          '400': problem('A bad status or limit'),
          '401': problem('No or a bad token'),
        },
      },
    },
    '/trace/v1/recalls/{id}': {
      get: {
        operationId: 'recalls.get',
        tags: ['recalls'],
        summary: '召回详情 / A recall: scope, holders and their acknowledgements, events, webhook deliveries',
        security,
        parameters: [recallId],
        responses: {
          '200': json(
            'The recall',
            { ...recallView, properties: { ...recallView.properties, notifications: { type: 'array', items: { type: 'object', properties: { org: { type: 'string' }, kind: { type: 'string' }, status: { type: 'string' }, attempts: { type: 'integer' }, lastStatus: { type: ['integer', 'null'] } } } } } },
            { ...recallExample, notifications: [{ org: 'org_qingcheng_mart', kind: 'recall.initiated', status: 'delivered', attempts: 1, lastStatus: 204 }] },
          ),
          '400': problem('Not a recall id'),
          '401': problem('No or a bad token'),
          '404': problem('No recall the caller may see'),
        },
      },
    },
    '/trace/v1/recalls/{id}/acknowledgements': {
      post: {
        operationId: 'recalls.acknowledge',
        tags: ['recalls'],
        summary: '持有方确认召回 / A holder acknowledges the recall, with a comment and the units it holds',
        security,
        parameters: [recallId, prefer],
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(b.acknowledge), example: { comment: '已下架 480 盒 / 480 packs withdrawn', lotsHeld: [{ ...LOT_EXAMPLE, units: 480 }] } } } },
        responses: writeResponses('recall.acknowledged'),
      },
    },
    '/trace/v1/recalls/{id}/close': {
      post: {
        operationId: 'recalls.close',
        tags: ['recalls'],
        summary: '结束召回 / The initiator closes the recall (refused while holders have not acknowledged, unless `force` with a `reason`)',
        security,
        parameters: [recallId, prefer],
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(b.close), example: { outcome: 'completed', unitsRecovered: 13810, unitsDestroyed: 13810, summary: '全部召回并销毁 / all recovered and destroyed' } } } },
        responses: writeResponses('recall.closed'),
      },
    },
    '/trace/v1/subscriptions': {
      post: {
        operationId: 'subscriptions.create',
        tags: ['recalls'],
        summary: '订阅召回通知 / Subscribe the organisation to recall webhooks (HMAC-SHA256 signed with the secret, retried with backoff)',
        security,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(b.subscription), example: { url: subscriptionExample.url, secret: 'a-long-shared-secret-of-the-shop', events: ['recall.initiated'] } } } },
        responses: {
          '201': { ...json('The subscription (the secret is not returned)', subscription, subscriptionExample), headers: { Location: { schema: { type: 'string' } } } },
          '400': problem('The body does not validate'),
          '401': problem('No or a bad token'),
        },
      },
      get: {
        operationId: 'subscriptions.list',
        tags: ['recalls'],
        summary: '本组织的订阅 / The organisation\'s subscriptions',
        security,
        responses: {
          '200': json('The subscriptions', { type: 'object', properties: { subscriptions: { type: 'array', items: subscription } } }, { subscriptions: [subscriptionExample] }),
          '401': problem('No or a bad token'),
        },
      },
    },
    '/trace/v1/subscriptions/{id}': {
      delete: {
        operationId: 'subscriptions.delete',
        tags: ['recalls'],
        summary: '取消订阅 / Delete one of the organisation\'s subscriptions',
        security,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, example: subscriptionExample.id }],
        responses: { '204': { description: 'Deleted' }, '401': problem('No or a bad token'), '404': problem('No such subscription of the organisation') },
      },
    },
    '/trace/v1/scans/flagged': {
      get: {
        operationId: 'scans.flagged',
        tags: ['scans'],
        summary: '疑似仿冒的单件码 / Serialised codes that look copied: scanned in too many places or too often, most scanned first',
        description: 'Roles: regulator, admin. Scans are counted outside the ledger with a coarse place only (no address, no device, no person).',
        security,
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }],
        responses: {
          '200': json('The thresholds and the flagged serials', flagged, {
            thresholds: DEFAULT_SCAN_THRESHOLDS,
            serials: [
              { ...LOT_EXAMPLE, serial: 'COPY0001', scans: 5, recentScans: 5, places: 5, placeNames: ['CN-BJ', 'CN-GD', 'CN-NM', 'CN-SH', 'CN-ZJ'], lastScanAt: '2026-11-12T03:20:00.000Z', reasons: ['scans.many-places'] },
            ],
          }),
          '400': problem('A bad limit'),
          '401': problem('No or a bad token'),
          '403': problem('仅限监管部门 / for regulators only'),
        },
      },
    },
  };
}
