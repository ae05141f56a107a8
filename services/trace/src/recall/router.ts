// Recalls over HTTP (under /trace/v1, token needed):
//   POST /recalls                       start one from a root (regulator, processor, workshop)
//   GET  /recalls, GET /recalls/:id     scope, holders, acknowledgement per holder, events
//   POST /recalls/:id/acknowledgements  a holder acknowledges, with a comment
//   POST /recalls/:id/close             the initiator closes it (refused while holders have not
//                                       acknowledged, unless `force` with a `reason`)
//   POST|GET /subscriptions, DELETE /subscriptions/:id   the organisation's webhooks
// Writes go through the custody write path (CommandPipeline over RECALL_COMMANDS): validated,
// authorised, decided, signed by the acting organisation through identity, stored with the outbox
// in one transaction; `Prefer: wait=N` answers 201 with the ledger's receipts once sequenced.
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { principalOf, type Principal } from '@milkchain/auth';
import { authorise, type CommandPipeline, type CustodyTables, type Executed, type LedgerClient } from '@milkchain/custody';
import { RECALL_COMMANDS, toProblems, type CommandDefinition } from '@milkchain/domain';
import { AppError, jsonBody, parsePrefer, validationFailed } from '@milkchain/http';
import type { Queryable } from '../lineage/queries.ts';
import { recallScope, type RecallRoot } from './scope.ts';
import { listRecalls, recallById } from './views.ts';
import { createSubscription, deleteSubscription, deliveriesOf, listSubscriptions, RECALL_EVENT_KINDS } from './webhooks.ts';

/** Roles that see every recall; other organisations see those they started or hold lots of. */
const OVERSIGHT = ['regulator', 'admin'];

export interface RecallWriter {
  pipeline: CommandPipeline;
  tables: CustodyTables;
  ledger: LedgerClient;
}

export interface RecallRouterDeps {
  db: Queryable;
  /** The write side; without it the recall reads and subscriptions are served, and writes answer 503. */
  writer?: RecallWriter;
  /** Largest farm range a recall may start from, in days (default 366). */
  maxFarmDays?: number;
}

const [INITIATE, ACKNOWLEDGE, CLOSE] = RECALL_COMMANDS.map((c) => c as CommandDefinition);
const RECALL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SUBJECT = /^(urn:milkchain:[a-z]+:[A-Za-z0-9._:-]{1,200}|[0-9a-f]{64})$/;

/** The body of POST /recalls: the command without its scope (computed here) and with a root. */
const startBody = z
  .strictObject({
    recallId: z.string().regex(RECALL_ID, 'must be 1 to 64 letters, digits or . _ - (starting with a letter or digit)').optional(),
    level: z.enum(['I', 'II', 'III']),
    cause: z.string(),
    description: z.string(),
    action: z.string(),
    root: z.string().regex(SUBJECT, 'must be a milkchain URN (urn:milkchain:<type>:...) or a 64-hex event id (a lab result)').optional(),
    farm: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, 'must be an organisation id').optional(),
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    occurredAt: z.string().optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.root === undefined) === (b.farm === undefined)) ctx.addIssue({ code: 'custom', path: ['root'], message: 'give either root, or farm with from and to' });
    if (b.farm !== undefined && (b.from === undefined || b.to === undefined)) ctx.addIssue({ code: 'custom', path: [b.from === undefined ? 'from' : 'to'], message: 'farm needs from and to' });
  });

const ackBody = z.strictObject({
  comment: z.string().optional(),
  lotsHeld: z.unknown().optional(),
  occurredAt: z.string().optional(),
});

const closeBody = z.strictObject({
  outcome: z.string().optional(),
  unitsRecovered: z.unknown().optional(),
  unitsDestroyed: z.unknown().optional(),
  summary: z.string(),
  force: z.boolean().optional(),
  reason: z.string().optional(),
  occurredAt: z.string().optional(),
});

const subscriptionBody = z.strictObject({
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe('Where deliveries are POSTed'),
  secret: z.string().min(16, 'at least 16 characters').max(200),
  events: z.array(z.enum(RECALL_EVENT_KINDS)).max(3).optional(),
});

/** The request bodies, as validated: the OpenAPI document is generated from them (src/recall/openapi.ts). */
export const RECALL_REQUEST_BODIES = { start: startBody, acknowledge: ackBody, close: closeBody, subscription: subscriptionBody } as const;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw validationFailed(toProblems(r.error.issues));
  return r.data;
}

/** A date is a whole day in China time (`to` then includes that day); a time is taken as is. */
function bound(v: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return new Date(Date.parse(`${v}T00:00:00+08:00`) + (end ? 86_400_000 : 0));
  return new Date(v);
}

function recallIdParam(req: Request): string {
  const id = String(req.params.id);
  if (!RECALL_ID.test(id)) throw validationFailed([{ path: 'id', message: 'must be a recall id' }]);
  return id;
}

function sees(p: Principal, r: { initiator: string; holders: Array<{ org: string }> }): boolean {
  return OVERSIGHT.some((role) => p.roles.includes(role as Principal['roles'][number])) || r.initiator === p.org || r.holders.some((h) => h.org === p.org);
}

function newRecallId(now: Date): string {
  const day = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `RC-${day}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
}

export function recallRouter(deps: RecallRouterDeps): Router {
  const { db } = deps;
  const router = express.Router();
  router.use(['/recalls', '/subscriptions'], jsonBody({ limit: '256kb' }));

  function writer(): RecallWriter {
    if (!deps.writer) throw new AppError('UNAVAILABLE', '召回写入未启用 / recalls cannot be written by this trace service (no signer or ledger configured)');
    return deps.writer;
  }

  async function waitFor(w: RecallWriter, commandId: string, seconds: number) {
    const until = Date.now() + seconds * 1000;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      const c = await w.tables.command(db, commandId);
      if ((c && c.status !== 'accepted') || Date.now() >= until) return c;
      await sleep(Math.min(delay, Math.max(1, until - Date.now())));
    }
  }

  /** As the custody services answer a command: 202 with its status URL, or with `Prefer: wait`, 201 with receipts. */
  async function answer(req: Request, res: Response, w: RecallWriter, done: Executed, recallId: string): Promise<void> {
    const prefer = parsePrefer(req.get('prefer'));
    const url = `/trace/v1/recalls/${encodeURIComponent(recallId)}`;
    res.setHeader('Location', url);
    const accepted = { recallId, url, command: done.commandId, status: 'accepted', events: done.events.map((e) => ({ ...e, receiptUrl: `/ledger/v1/events/${e.id}` })) };
    if (prefer.wait === undefined) {
      res.status(202).json(accepted);
      return;
    }
    const settled = await waitFor(w, done.commandId, prefer.wait);
    if (settled?.status === 'refused') {
      const p = settled.problem ?? {};
      res.status(typeof p.status === 'number' ? p.status : 409).type('application/problem+json').json({ ...p, instance: req.originalUrl, command: done.commandId });
      return;
    }
    if (settled?.status !== 'sequenced') {
      res.setHeader('Preference-Applied', `wait=${prefer.wait}`);
      res.status(202).json(accepted);
      return;
    }
    const receipts = await Promise.all(done.events.map((e) => w.ledger.receipt(e.id)));
    res.status(201).json({ ...accepted, status: 'sequenced', events: done.events.map((e, i) => ({ ...e, receipt: receipts[i] })) });
  }

  router.post('/recalls', async (req, res) => {
    const w = writer();
    const p = principalOf(res);
    authorise(INITIATE!, p);
    const b = parse(startBody, req.body);
    let root: RecallRoot;
    if (b.farm !== undefined) {
      const from = bound(b.from!, false);
      const to = bound(b.to!, true);
      if (!(from < to)) throw validationFailed([{ path: '/to', message: 'to must be after from' }]);
      if (to.getTime() - from.getTime() > (deps.maxFarmDays ?? 366) * 86_400_000) throw validationFailed([{ path: '/to', message: `a farm range is at most ${deps.maxFarmDays ?? 366} days` }]);
      root = { farm: b.farm, from, to };
    } else {
      root = { subject: b.root! };
    }
    const scope = await recallScope(db, root);
    if (!scope) throw new AppError('NOT_FOUND', `追溯里没有 ${b.root ?? ''} / ${b.root ?? ''} is not known to the trace (yet)`, { pointer: '/root' });
    if (scope.lots.length === 0) {
      throw new AppError('RULE_VIOLATED', '从该起点追溯不到任何包装批：没有可召回的产品 / no lot was made from this root: there is nothing to recall', {
        rule: 'recall.empty-scope',
        pointer: b.farm === undefined ? '/root' : '/farm',
        details: { root: scope.root, starts: scope.starts },
      });
    }
    const recallId = b.recallId ?? newRecallId(new Date());
    const body = {
      recallId,
      level: b.level,
      cause: b.cause,
      description: b.description,
      root: scope.root,
      action: b.action,
      lots: scope.lots.map((l) => ({ gtin: l.gtin, lot: l.lot })),
      ...(b.occurredAt === undefined ? {} : { occurredAt: b.occurredAt }),
    };
    const done = await w.pipeline.execute([{ def: INITIATE!, body }], p);
    await answer(req, res, w, done, recallId);
  });

  router.post('/recalls/:id/acknowledgements', async (req, res) => {
    const w = writer();
    const recallId = recallIdParam(req);
    const b = parse(ackBody, req.body);
    const body = {
      recallId,
      ...(b.lotsHeld === undefined ? {} : { lotsHeld: b.lotsHeld }),
      ...(b.comment === undefined ? {} : { note: b.comment }),
      ...(b.occurredAt === undefined ? {} : { occurredAt: b.occurredAt }),
    };
    const done = await w.pipeline.execute([{ def: ACKNOWLEDGE!, body }], principalOf(res));
    await answer(req, res, w, done, recallId);
  });

  router.post('/recalls/:id/close', async (req, res) => {
    const w = writer();
    const recallId = recallIdParam(req);
    const b = parse(closeBody, req.body);
    const done = await w.pipeline.execute([{ def: CLOSE!, body: { recallId, ...b } }], principalOf(res));
    await answer(req, res, w, done, recallId);
  });

  router.get('/recalls', async (req, res) => {
    const p = principalOf(res);
    const status = req.query.status;
    if (status !== undefined && status !== 'open' && status !== 'closed') throw validationFailed([{ path: 'status', message: 'status must be open or closed' }]);
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw validationFailed([{ path: 'limit', message: 'limit must be an integer from 1 to 500' }]);
    const all = OVERSIGHT.some((r) => p.roles.includes(r as Principal['roles'][number]));
    const recalls = await listRecalls(db, { ...(all ? {} : { org: p.org }), ...(status ? { status } : {}), limit });
    res.json({ recalls });
  });

  router.get('/recalls/:id', async (req, res) => {
    const recallId = recallIdParam(req);
    const r = await recallById(db, recallId);
    // A recall the caller may not see is answered like one that does not exist.
    if (!r || !sees(principalOf(res), r)) throw new AppError('NOT_FOUND', `没有召回 ${recallId} / no recall ${recallId} you may see`);
    res.json({ ...r, notifications: await deliveriesOf(db, recallId) });
  });

  router.post('/subscriptions', async (req, res) => {
    const p = principalOf(res);
    const b = parse(subscriptionBody, req.body);
    const s = await createSubscription(db, { org: p.org, url: b.url, secret: b.secret, events: b.events ?? [] });
    res.status(201).setHeader('Location', `/trace/v1/subscriptions/${s.id}`).json(s);
  });

  router.get('/subscriptions', async (_req, res) => {
    res.json({ subscriptions: await listSubscriptions(db, principalOf(res).org) });
  });

  router.delete('/subscriptions/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/.test(id) || !(await deleteSubscription(db, principalOf(res).org, id))) {
      throw new AppError('NOT_FOUND', `没有这个订阅 / no subscription ${id} of your organisation`);
    }
    res.status(204).end();
  });

  return router;
}
