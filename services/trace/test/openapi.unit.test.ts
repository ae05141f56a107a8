import { describe, expect, it } from 'vitest';
import { silentLogger } from '@milkchain/http';
import { createTraceApp } from '../src/app.ts';
import { openApiDocument } from '../src/openapi.ts';
import { RECALL_REQUEST_BODIES } from '../src/recall/router.ts';

type Doc = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> }; responses: Record<string, unknown> }>> };
type Layer = { rawPath?: unknown; route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every route of an express app as `METHOD /path/{param}`, by walking its router stack (express 5: `rawPath` is a layer's mount path). */
function routesOf(app: { router: { stack: Layer[] } }): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const l of stack) {
      if (l.route) {
        for (const p of [l.route.path].flat()) for (const m of Object.keys(l.route.methods)) out.push(`${m.toUpperCase()} ${(prefix + p).replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')}`);
      } else if (l.handle?.stack) {
        walk(l.handle.stack, typeof l.rawPath === 'string' && l.rawPath !== '/' ? prefix + l.rawPath : prefix);
      }
    }
  };
  walk(app.router.stack, '');
  return out;
}

// Built with every area mounted; nothing is called, so the dependencies are inert stand-ins.
const inert = {} as never;
const app = createTraceApp({
  pool: inert,
  verifier: inert,
  logger: silentLogger,
  resolver: { ledger: inert, orgs: inert, resolverBase: 'https://id.milkchain.local', script: Promise.resolve({ hash: '0'.repeat(16), path: '/x.js', code: '' }) as never },
  upstream: { ledger: inert, orgs: inert, custody: inert, identityUrl: 'http://127.0.0.1:1' },
});
const doc = openApiDocument() as unknown as Doc;
const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));

describe('the trace OpenAPI document', () => {
  it('names every route the trace app registers', () => {
    const routes = routesOf(app as unknown as { router: { stack: Layer[] } });
    expect(routes.length).toBeGreaterThan(25);
    // The resolver answers Digital Links in one middleware (any qualifier path), not as express routes.
    const digitalLinks = ['GET /01/{gtin}/10/{lot}', 'GET /01/{gtin}/10/{lot}/21/{serial}'];
    // The document itself is the one route it does not describe (as in the other services' documents).
    const missing = [...routes, ...digitalLinks].filter((r) => r !== 'GET /trace/openapi.json' && !documented.has(r));
    expect(missing).toEqual([]);
    for (const r of ['POST /trace/v1/recalls', 'GET /trace/v1/recalls/{id}', 'DELETE /trace/v1/subscriptions/{id}', 'GET /trace/v1/scans/flagged', 'GET /trace/v1/bundles/01/{gtin}/10/{lot}']) expect(routes).toContain(r);
  });

  it('documents the resolver\'s page, linkset and redirects, and the serial\'s 303', () => {
    const lot = doc.paths['/01/{gtin}/10/{lot}']!.get!;
    expect(Object.keys(lot.responses).sort()).toEqual(['200', '301', '400', '404', '429', '503']);
    expect(Object.keys((lot.responses['200'] as { content: object }).content).sort()).toEqual(['application/linkset+json', 'text/html']);
    const serial = doc.paths['/01/{gtin}/10/{lot}/21/{serial}']!.get!;
    expect(serial.responses).toHaveProperty('303');
    expect(serial.responses).toHaveProperty('429');
  });

  it('has request examples the routers accept (the bodies are generated from the same zod schemas)', () => {
    const example = (path: string) => Object.values(doc.paths[path]!.post!.requestBody!.content)[0]!.example;
    expect(RECALL_REQUEST_BODIES.start.safeParse(example('/trace/v1/recalls')).success).toBe(true);
    expect(RECALL_REQUEST_BODIES.acknowledge.safeParse(example('/trace/v1/recalls/{id}/acknowledgements')).success).toBe(true);
    expect(RECALL_REQUEST_BODIES.close.safeParse(example('/trace/v1/recalls/{id}/close')).success).toBe(true);
    expect(RECALL_REQUEST_BODIES.subscription.safeParse(example('/trace/v1/subscriptions')).success).toBe(true);
    const schema = (doc.paths['/trace/v1/recalls']!.post!.requestBody!.content['application/json'] as { schema: { properties: object } }).schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['level', 'cause', 'root', 'farm']));
  });

  it('gives every operation at least one example', () => {
    const without: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        if (!/^\/(01|trace\/v1\/(recalls|subscriptions|scans|bundles))/.test(p)) continue;
        if (!JSON.stringify(op).includes('"example"')) without.push(`${m} ${p}`);
      }
    }
    expect(without).toEqual([]);
  });
});
