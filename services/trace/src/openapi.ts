// The trace service's OpenAPI 3.1 document, in the style of the custody services'.
import { FSMA_HEADER } from './lineage/fsma.ts';
import { MAX_FARM_DAYS, TRACE_ROLES } from './lineage/router.ts';
import { epcisRegulatorPaths, regulatorPagePaths } from './regulator/openapi.ts';
import { recallScanPaths } from './recall/openapi.ts';
import { resolverPaths, resolverSchemas } from './resolver/openapi.ts';
import { labelPaths } from './labels/openapi.ts';

const problem = {
  description: 'application/problem+json (RFC 9457) naming the parameter',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const csv = {
  'text/csv': {
    schema: { type: 'string' },
    description: `FSMA 204 sortable spreadsheet, one row per critical tracking event; one header row: ${FSMA_HEADER.join(', ')}`,
  },
};

export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  const security = [{ bearer: [] }];
  const subject = {
    name: 'subject',
    in: 'query',
    schema: { type: 'string' },
    description: 'A milkchain URN (lot, unit, collection, load, batch, sample, shipment) or an event id (a lab result, a sample)',
  };
  const responses = (schema: string) => ({
    '200': { description: 'The trace', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } }, ...csv } },
    '400': problem,
    '401': problem,
    '403': problem,
    '404': problem,
  });
  const roles = `Roles: ${TRACE_ROLES.join(', ')}, or the subject's own organisation. \`Accept: text/csv\` or the \`.csv\` path gives the FSMA 204 spreadsheet.`;
  const backward = {
    get: {
      operationId: 'trace.backward',
      summary: '向上追溯：从包装批（或单件）到所有投入直至牧场收集及其检测 / Backward: from a lot (or unit) to every input down to the farm collections, with their tests',
      description: roles,
      security,
      parameters: [{ ...subject, required: true }],
      responses: responses('BackwardTrace'),
    },
  };
  const forward = {
    get: {
      operationId: 'trace.forward',
      summary: '向下追溯：由此制成的所有包装批、现在何处、数量多少 / Forward: every lot made from the root, where it is now and how much',
      description: `${roles} Give \`subject\` (a collection, batch, sample or lab result id ...), or \`farm\` with \`from\` and \`to\` (dates, China time, \`to\` inclusive; or RFC 3339 times; at most ${MAX_FARM_DAYS} days).`,
      security,
      parameters: [
        subject,
        { name: 'farm', in: 'query', schema: { type: 'string' } },
        { name: 'from', in: 'query', schema: { type: 'string' } },
        { name: 'to', in: 'query', schema: { type: 'string' } },
      ],
      responses: responses('ForwardTrace'),
    },
  };
  const node = {
    type: 'object',
    properties: {
      subject: { type: 'string' },
      type: { type: 'string' },
      org: { type: 'string' },
      product: { type: ['string', 'null'] },
      quantity: { type: ['number', 'null'] },
      unit: { type: ['string', 'null'] },
      status: { enum: ['active', 'held', 'released', 'recalled', 'rejected', 'sold', 'closed'] },
      holdings: { type: 'object', additionalProperties: { type: 'number' } },
      inTransit: { type: 'object' },
      sold: { type: ['number', 'null'] },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: '追溯服务：扫码解析、向上与向下追溯、召回、EPCIS / Trace service: the GS1 Digital Link resolver, backward and forward traces (FSMA 204 spreadsheet), recalls, scans, EPCIS', version: '1' },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths: {
      '/trace/v1/backward': backward,
      '/trace/v1/backward.csv': backward,
      '/trace/v1/forward': forward,
      '/trace/v1/forward.csv': forward,
      ...epcisRegulatorPaths(),
      ...recallScanPaths(),
      ...resolverPaths(),
      ...regulatorPagePaths(),
      ...labelPaths(),
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        regulatorCookie: { type: 'apiKey', in: 'cookie', name: 'milkchain_regulator', description: 'Set by POST /regulator/login; HttpOnly, SameSite=Strict, path /regulator' },
      },
      schemas: {
        ...resolverSchemas(),
        Problem: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' } } },
        Node: node,
        BackwardTrace: {
          type: 'object',
          properties: { root: { type: 'string' }, nodes: { type: 'array', items: { $ref: '#/components/schemas/Node' } }, edges: { type: 'array' }, collections: { type: 'array', items: { type: 'string' } } },
        },
        ForwardTrace: {
          type: 'object',
          properties: { roots: { type: 'array', items: { type: 'string' } }, lots: { type: 'array', items: { $ref: '#/components/schemas/Node' } }, nodes: { type: 'array' }, edges: { type: 'array' } },
        },
      },
    },
  };
}
