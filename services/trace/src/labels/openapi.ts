// OpenAPI paths of the QR codes and label sheets (under /trace/v1, token needed), spread into the
// trace service's document (src/openapi.ts).
import { LABEL_ROLES, MAX_SERIALS, MAX_SHEET_CODES, MAX_SHEET_LOTS } from './router.ts';

const security = [{ bearer: [] }];
const problem = (description: string, example?: Record<string, unknown>) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, ...(example ? { example } : {}) } },
});
const gtin = { name: 'gtin', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{8}$|^\\d{12,14}$' }, example: '06901234000016' };
const lot = { name: 'lot', in: 'path', required: true, schema: { type: 'string', pattern: '^[!"%-?A-Z_a-z]{1,20}$' }, example: '261123P1B' };
const who = `A token with role ${LABEL_ROLES.join(', ')}, or of the lot's own organisation.`;
const errors = {
  '400': problem('The GTIN or lot number is not valid (the problem names `lot`)'),
  '401': problem('No valid token'),
  '403': problem('Not a label role and not the lot\'s organisation', { type: 'https://milkchain.dev/problems/forbidden', status: 403, code: 'FORBIDDEN', detail: '打印标签需要加工、作坊、监管或管理员角色，或是本组织的批次 / ...' }),
  '404': problem('The trace has not seen this lot packed (yet)'),
};

const code = (format: 'svg' | 'png') => ({
  get: {
    tags: ['labels'],
    summary: `批次二维码（${format.toUpperCase()}）/ The lot's GS1 Digital Link QR code as ${format.toUpperCase()}`,
    description: `Rendered once when the lot is packed (the label worker) and cached; rendered through the cache if not there yet. \`Cache-Control: public, max-age=31536000, immutable\`: a Digital Link names the same lot forever. ${who}`,
    security,
    parameters: [gtin, lot],
    responses: {
      '200': {
        description: 'The QR code (4-module quiet zone, error correction M) of the lot\'s Digital Link on the resolver',
        headers: { 'Cache-Control': { schema: { type: 'string' }, example: 'public, max-age=31536000, immutable' } },
        content: format === 'svg'
          ? { 'image/svg+xml': { schema: { type: 'string' }, example: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 33 33">…</svg>' } }
          : { 'image/png': { schema: { type: 'string', format: 'binary' }, example: '(PNG bytes)' } },
      },
      ...errors,
    },
  },
});

export function labelPaths(): Record<string, unknown> {
  return {
    '/trace/v1/labels/01/{gtin}/10/{lot}.svg': code('svg'),
    '/trace/v1/labels/01/{gtin}/10/{lot}.png': code('png'),
    '/trace/v1/labels/sheet': {
      get: {
        tags: ['labels'],
        summary: '打印标签页 / A printable A4 label sheet of some lots',
        description: `HTML, 12 labels (63 × 68 mm) to an A4 page: per lot its code, the GS1 element string, the product name (zh-CN, English) and the best-before date, followed by \`serials\` serialised unit codes (serial \`<lot>-0001\`, \`<lot>-0002\`, …; Digital Link /01/<gtin>/10/<lot>/21/<serial>). At most ${MAX_SHEET_CODES} codes and ${MAX_SHEET_LOTS} lots per sheet. ${who}`,
        security,
        parameters: [
          { name: 'lot', in: 'query', required: true, style: 'form', explode: true, schema: { type: 'array', items: { type: 'string', pattern: '^\\d{8,14}:.{1,20}$' }, maxItems: MAX_SHEET_LOTS }, description: '`<gtin>:<lot>`, repeated for each lot', example: ['06901234000016:261123P1B'] },
          { name: 'serials', in: 'query', schema: { type: 'integer', minimum: 0, maximum: MAX_SERIALS }, description: `Serialised unit codes per lot; lots × (1 + serials) ≤ ${MAX_SHEET_CODES}`, example: 3 },
        ],
        responses: {
          '200': { description: 'The label sheet', content: { 'text/html': { schema: { type: 'string' }, example: '<!doctype html>\n<html lang="zh-CN">…' } } },
          '400': problem('A lot is not `<gtin>:<lot>`, or `serials` is out of range (the problem names the parameter)', {
            type: 'https://milkchain.dev/problems/validation-failed',
            status: 400,
            code: 'VALIDATION_FAILED',
            detail: `serials: a sheet carries at most ${MAX_SHEET_CODES} codes: 1 lot(s) × (1 + 100000 units) is 100001`,
            problems: [{ path: 'serials', message: `serials must be a whole number from 0 to ${MAX_SERIALS}` }],
          }),
          '401': errors['401'],
          '403': errors['403'],
          '404': errors['404'],
        },
      },
    },
  };
}
