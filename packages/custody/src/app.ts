import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Request, type Response, type Router } from 'express';
import { authenticate, principalOf, type EventSigner, type TokenVerifier } from '@milkchain/auth';
import { deadLettersRouter, type Bus } from '@milkchain/bus';
import { commandsOf, type CommandDefinition, type ServiceName } from '@milkchain/domain';
import { AppError, jsonBody, notFoundHandler, parsePrefer, problemHandler, requestId, validationFailed, type Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import { openApiDocument } from './openapi.ts';
import { CommandPipeline, MAX_BATCH_COMMANDS, type Executed } from './pipeline.ts';
import type { LedgerClient } from './ledger-client.ts';
import { CustodyTables, type CommandRecord } from './store.ts';

export interface CustodyAppDeps {
  service: ServiceName;
  pool: Pool;
  bus: Bus;
  signer: EventSigner;
  ledger: LedgerClient;
  verifier: TokenVerifier;
  logger: Logger;
  clock?: () => Date;
  /** Base URL the OpenAPI document names as its server; default relative. */
  publicUrl?: string;
}

const OBJECT_TYPES = ['animal', 'collection', 'load', 'batch', 'lot', 'sample', 'shipment'];
const OBJECT_STATUSES = ['active', 'held', 'rejected', 'closed'];

function oneOf(req: Request, name: string, allowed: string[]): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v)) throw validationFailed([{ path: name, message: `${name} must be one of ${allowed.join(', ')}` }]);
  return v;
}

/**
 * One custody service's HTTP API: an endpoint per command of its kind table, a batch endpoint,
 * command status, reads of the caller's own objects, its OpenAPI document, and dead letters for
 * operators. Everything is under `/<service>`, so services compose into one app.
 */
export function createCustodyApp(deps: CustodyAppDeps): express.Express {
  const { service, pool, verifier } = deps;
  const tables = new CustodyTables(service);
  const pipeline = new CommandPipeline({ service, pool, tables, signer: deps.signer, ledger: deps.ledger, clock: deps.clock ?? (() => new Date()), logger: deps.logger });
  const defs = commandsOf(service);
  const byName = new Map(defs.map((d) => [d.name, d]));
  const base = `/${service}/v1`;
  const statusUrl = (id: string) => `${base}/commands/${id}`;
  const auth = authenticate(verifier);

  async function waitFor(commandId: string, seconds: number): Promise<CommandRecord | undefined> {
    const until = Date.now() + seconds * 1000;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      const c = await tables.command(pool, commandId);
      if (c && c.status !== 'accepted') return c;
      if (Date.now() >= until) return c;
      await sleep(Math.min(delay, Math.max(1, until - Date.now())));
    }
  }

  async function answer(req: Request, res: Response, done: Executed): Promise<void> {
    const prefer = parsePrefer(req.get('prefer'));
    res.setHeader('Location', statusUrl(done.commandId));
    const accepted = {
      command: done.commandId,
      status: 'accepted',
      statusUrl: statusUrl(done.commandId),
      events: done.events.map((e) => ({ ...e, receiptUrl: `/ledger/v1/events/${e.id}` })),
    };
    if (prefer.wait === undefined) {
      res.status(202).json(accepted);
      return;
    }
    const settled = await waitFor(done.commandId, prefer.wait);
    if (settled?.status === 'refused') {
      const p = settled.problem ?? {};
      const status = typeof p.status === 'number' ? p.status : 409;
      res.status(status).type('application/problem+json').json({ ...p, instance: req.originalUrl, command: done.commandId });
      return;
    }
    if (settled?.status !== 'sequenced') {
      res.setHeader('Preference-Applied', `wait=${prefer.wait}`);
      res.status(202).json(accepted);
      return;
    }
    const receipts = await Promise.all(done.events.map((e) => deps.ledger.receipt(e.id)));
    res.status(201).json({ ...accepted, status: 'sequenced', events: done.events.map((e, i) => ({ ...e, receipt: receipts[i] })) });
  }

  const router: Router = express.Router();

  for (const def of defs) {
    router.post(`/v1${def.path}`, auth, async (req, res) => {
      const done = await pipeline.execute([{ def: def as CommandDefinition, body: req.body }], principalOf(res));
      await answer(req, res, done);
    });
  }

  router.post('/v1/batch', auth, async (req, res) => {
    const body = req.body as { commands?: unknown } | null;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw validationFailed([{ path: '', message: `the body must be an object {"commands": [...]} with 1 to ${MAX_BATCH_COMMANDS} {"command", "body"} objects` }]);
    }
    const list = body.commands;
    const extra = Object.keys(body).filter((k) => k !== 'commands');
    if (extra.length > 0) throw validationFailed(extra.map((k) => ({ path: `/${k}`, message: `unknown field "${k}"` })));
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_COMMANDS) {
      throw validationFailed([{ path: '/commands', message: `commands must be an array of 1 to ${MAX_BATCH_COMMANDS} {"command", "body"} objects` }]);
    }
    const commands = list.map((c: unknown, i) => {
      const item = c as { command?: unknown; body?: unknown } | null;
      const def = typeof item?.command === 'string' ? byName.get(item.command) : undefined;
      if (!def) {
        throw validationFailed([{ path: `/commands/${i}/command`, message: `must be one of ${[...byName.keys()].join(', ')}` }]);
      }
      return { def: def as CommandDefinition, body: item!.body, prefix: `/commands/${i}/body` };
    });
    const done = await pipeline.execute(commands, principalOf(res));
    await answer(req, res, done);
  });

  router.get('/v1/commands/:id', auth, async (req, res) => {
    const id = String(req.params.id);
    const c = /^[0-9a-f-]{36}$/.test(id) ? await tables.command(pool, id) : undefined;
    if (!c || c.org !== principalOf(res).org) throw new AppError('NOT_FOUND', `没有这个指令 / no command ${id} of your organisation`);
    res.json({ ...c, events: c.eventIds.map((e) => ({ id: e, receiptUrl: `/ledger/v1/events/${e}` })) });
  });

  router.get('/v1/objects', auth, async (req, res) => {
    const rawLimit = req.query.limit;
    const limit = rawLimit === undefined ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw validationFailed([{ path: 'limit', message: 'limit must be an integer from 1 to 500' }]);
    const before = req.query.before;
    if (before !== undefined && (typeof before !== 'string' || before.length > 300)) throw validationFailed([{ path: 'before', message: 'before must be a subject' }]);
    const objects = await tables.objectsOf(pool, {
      org: principalOf(res).org,
      type: oneOf(req, 'type', OBJECT_TYPES),
      status: oneOf(req, 'status', OBJECT_STATUSES),
      limit,
      before: before as string | undefined,
    });
    const last = objects.at(-1);
    res.json({ objects, ...(objects.length === limit && last ? { next: `${base}/objects?limit=${limit}&before=${encodeURIComponent(last.subject)}` } : {}) });
  });

  router.get('/v1/objects/:subject', auth, async (req, res) => {
    const subject = String(req.params.subject);
    const org = principalOf(res).org;
    const o = await tables.object(pool, subject);
    // Another organisation's objects are not shown (not even whether they exist).
    if (!o || (o.org !== org && !(o.holdings[org] !== undefined))) throw new AppError('NOT_FOUND', `没有找到 ${subject} / ${subject} is not one of your organisation's objects`);
    res.json({ object: o, history: await tables.history(pool, subject) });
  });

  router.get('/v1/receipts/:id', auth, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f]{64}$/.test(id)) throw validationFailed([{ path: 'id', message: 'must be an event id: 64 lowercase hex characters' }]);
    const receipt = await deps.ledger.receipt(id);
    if (!receipt) throw new AppError('NOT_FOUND', `账本里还没有事件 ${id} / event ${id} is not in the ledger (yet)`);
    res.json(receipt);
  });

  const operatorsOnly = (_req: Request, res: Response, next: () => void) => {
    const p = principalOf(res);
    if (!p.roles.includes('admin') && !p.roles.includes('operator')) throw new AppError('FORBIDDEN', '仅限运维人员 / operators only');
    next();
  };
  router.use('/v1/ops/dead-letters', auth, operatorsOnly, deadLettersRouter({ pool, bus: deps.bus }));

  const doc = openApiDocument(service, defs, deps.publicUrl);
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(`/${service}`, requestId(), jsonBody({ limit: '4mb' }), router, notFoundHandler(), problemHandler({ logger: deps.logger }));
  return app;
}
