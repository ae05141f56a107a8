import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, jsonBody, notFoundHandler, parsePrefer, problemHandler, requestId, validationFailed, type Logger } from '../src/index.ts';

const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
const logger: Logger = { info() {}, warn() {}, error: (message, fields) => logged.push({ message, fields }) };

let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.use(requestId());
  app.use(jsonBody({ limit: '1kb' }));
  app.post('/echo', (req, res) => {
    res.json({ body: req.body as unknown });
  });
  app.get('/refuse', () => {
    throw validationFailed([{ path: '/a', message: 'a must be a number' }, { path: '/b', message: 'b is missing' }]);
  });
  app.get('/conflict', () => {
    throw new AppError('CONFLICT', 'the subject moved on', { rule: 'prev-is-head' });
  });
  app.get('/boom', () => {
    throw new Error('secret internals');
  });
  app.use(notFoundHandler());
  app.use(problemHandler({ logger }));
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('problem details', () => {
  it('a validation failure is a 400 listing every field, with a bilingual title', async () => {
    const res = await fetch(`${url}/refuse`);
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/refuse' });
    expect(body.title).toMatch(/请求内容有误.*The request is not valid/);
    expect(body.detail).toContain('/a: a must be a number');
    expect(body.problems).toEqual([
      { path: '/a', message: 'a must be a number' },
      { path: '/b', message: 'b is missing' },
    ]);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('carries extras such as the rule, with the status of its code', async () => {
    const res = await fetch(`${url}/conflict`);
    expect(res.status).toBe(409);
    expect(await problem(res)).toMatchObject({ code: 'CONFLICT', rule: 'prev-is-head', detail: 'the subject moved on' });
  });

  it('hides unexpected errors behind a 500 and logs them with the request id', async () => {
    const res = await fetch(`${url}/boom`, { headers: { 'x-request-id': 'req-123' } });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(body.requestId).toBe('req-123');
    expect(logged.at(-1)?.fields?.requestId).toBe('req-123');
  });

  it('answers an unknown path with a 404 problem', async () => {
    const res = await fetch(`${url}/nowhere`);
    expect(res.status).toBe(404);
    expect((await problem(res)).detail).toContain('GET /nowhere');
  });
});

describe('jsonBody', () => {
  const post = (body: BodyInit, type = 'application/json') => fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': type }, body });

  it('parses JSON', async () => {
    const res = await post('{"a":[1,2]}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: { a: [1, 2] } });
  });

  it('refuses malformed JSON with a 400', async () => {
    const res = await post('{"a":');
    expect(res.status).toBe(400);
    expect(await problem(res)).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('does not quote the body back when it is not JSON (it may hold a password)', async () => {
    for (const body of ['{"password":correct-horse-battery}', '"correct-horse-battery', '{"user":"a","password":"correct-horse-battery",}']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const p = await problem(res);
      expect(p.code).toBe('MALFORMED_JSON');
      expect(JSON.stringify(p)).not.toContain('correct-h');
    }
  });

  it('refuses invalid UTF-8 instead of replacing it', async () => {
    const res = await post(new Uint8Array([0x22, 0xff, 0xfe, 0x22]));
    expect(res.status).toBe(400);
    expect((await problem(res)).detail).toMatch(/UTF-8/);
  });

  it('refuses a body over the limit with a 413', async () => {
    const res = await post(JSON.stringify({ a: 'x'.repeat(2000) }));
    expect(res.status).toBe(413);
    expect(await problem(res)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 1024 });
  });

  it('refuses another media type with a 415', async () => {
    const res = await post('a=1', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    expect((await problem(res)).detail).toContain('application/x-www-form-urlencoded');
  });

  it('accepts +json media types', async () => {
    const res = await post('{"x":1}', 'application/merge-patch+json; charset=utf-8');
    expect(res.status).toBe(200);
  });
});

describe('parsePrefer', () => {
  it('reads wait and respond-async, capping wait at 60 s', () => {
    expect(parsePrefer(undefined)).toEqual({});
    expect(parsePrefer('wait=5')).toEqual({ wait: 5 });
    expect(parsePrefer('respond-async, wait=600')).toEqual({ wait: 60, respondAsync: true });
    expect(parsePrefer('wait=abc')).toEqual({});
    expect(parsePrefer('handling=strict; x=1, WAIT = 3')).toEqual({ wait: 3 });
  });
});
