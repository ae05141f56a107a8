import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { AppError, jsonBody, notFoundHandler, parsePrefer, problemHandler, requestId, validationFailed, type Logger } from '@milkchain/http';
import { admit, OrgKeyCache } from './admission.ts';
import { LedgerLog } from './log.ts';
import { Operator } from './operator.ts';
import type { Sequencer, SubmissionResult } from './sequencer.ts';
import type { LedgerStore } from './store/port.ts';
import type { LogKey } from './keys.ts';

export interface LedgerAppDeps {
  store: LedgerStore;
  sequencer: Sequencer;
  logKey: LogKey;
  operatorOrg: string;
  /** Bearer token that guards key registration until the identity service exists. */
  adminToken: string;
  logger: Logger;
  clock?: () => Date;
  /** Largest accepted request body. */
  bodyLimit?: string;
  /** The read side to serve from (one is made when absent); lets the caller warm its id index. */
  log?: LedgerLog;
}

const HEX64 = /^[0-9a-f]{64}$/;

function intParam(req: Request, name: string, { min, max, fallback }: { min: number; max: number; fallback?: number }): number {
  const raw = req.query[name];
  if (raw === undefined && fallback !== undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw validationFailed([{ path: name, message: `${name} must be an integer from ${min} to ${max}` }]);
  }
  return Number(raw);
}

function idParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !HEX64.test(value)) {
    throw validationFailed([{ path: name, message: `${name} must be an event id: 64 lowercase hex characters` }]);
  }
  return value;
}

/** Waits for `promise` at most `seconds`; resolves to undefined on time-out. */
async function within<T>(promise: Promise<T>, seconds: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), seconds * 1000)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ledger service's HTTP API (paths as in the README). No I/O until a request arrives. */
export function createLedgerApp(deps: LedgerAppDeps): express.Express {
  const { store, sequencer } = deps;
  const log = deps.log ?? new LedgerLog(store, sequencer);
  const keys = new OrgKeyCache(store);
  const operator = new Operator({ store, sequencer, logKey: deps.logKey, operatorOrg: deps.operatorOrg, clock: deps.clock ?? (() => new Date()) });
  const adminDigest = createHash('sha256').update(deps.adminToken).digest();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestId());
  app.use(jsonBody({ limit: deps.bodyLimit ?? '8mb' }));

  const statusUrl = (id: string) => `/ledger/v1/events/${id}`;

  app.post('/ledger/v1/submissions', async (req: Request, res: Response) => {
    const prefer = parsePrefer(req.get('prefer'));
    const sub = await admit(req.body, keys);
    // Durable before any answer: a 202 is as safe as a 201, it only carries less.
    const pending = sequencer.submit(sub);
    const result: SubmissionResult = await pending;
    const allDuplicates = result.entries.every((e) => e.duplicate);
    const ids = result.entries.map((e) => ({ id: e.id, seq: e.seq, duplicate: e.duplicate, status: statusUrl(e.id) }));
    res.setHeader('Location', statusUrl(result.entries[0]!.id));
    if (prefer.wait !== undefined || allDuplicates) {
      const receipts = await within(log.receiptsFor(sub, result), prefer.wait ?? 30);
      if (receipts) {
        if (prefer.wait !== undefined) res.setHeader('Preference-Applied', `wait=${prefer.wait}`);
        res.status(allDuplicates ? 200 : 201).json({ events: ids, receipts });
        return;
      }
    }
    res.status(202).json({ events: ids, status: statusUrl(result.entries[0]!.id) });
  });

  app.get('/ledger/v1/events/:id', async (req, res) => {
    const receipt = await log.receipt(idParam(req.params.id, 'id'));
    if (!receipt) throw new AppError('NOT_FOUND', `no event with id ${req.params.id} is in the log`);
    res.json(receipt);
  });

  app.get('/ledger/v1/entries', async (req, res) => {
    const start = intParam(req, 'start', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
    const limit = intParam(req, 'limit', { min: 1, max: 1000, fallback: 100 });
    res.json(await log.entries(start, limit));
  });

  // The latest event of each subject the log holds: what a writer chains `prev` to. Up to 100
  // subjects a request (`?subject=a&subject=b`); subjects with no events are left out.
  app.get('/ledger/v1/heads', async (req, res) => {
    const raw = req.query.subject;
    const subjects = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
    if (subjects.length === 0 || subjects.length > 100 || subjects.some((s) => s.length > 300)) {
      throw validationFailed([{ path: 'subject', message: 'give 1 to 100 subject parameters, each at most 300 characters' }]);
    }
    const heads = await store.heads(subjects);
    res.json({ heads: Object.fromEntries([...heads].filter(([, h]) => h !== '')) });
  });

  app.get('/ledger/v1/checkpoint', (_req, res) => {
    const cp = sequencer.checkpoint;
    res.json({ checkpoint: cp.jws, treeSize: cp.treeSize, rootHash: cp.rootHash, issuedAt: cp.issuedAt });
  });

  app.get('/ledger/v1/proofs/inclusion', async (req, res) => {
    const id = idParam(req.query.id, 'id');
    const latest = sequencer.checkpoint.treeSize;
    const treeSize = intParam(req, 'treeSize', { min: 1, max: latest, fallback: latest });
    const seq = await log.seqOf(id);
    if (seq === null) throw new AppError('NOT_FOUND', `no event with id ${id} is in the log`);
    res.json({ id, leafIndex: seq, treeSize, hashes: await log.inclusionProof(seq, treeSize) });
  });

  app.get('/ledger/v1/proofs/consistency', async (req, res) => {
    const latest = sequencer.checkpoint.treeSize;
    const from = intParam(req, 'from', { min: 0, max: latest });
    const to = intParam(req, 'to', { min: 0, max: latest, fallback: latest });
    res.json({ from, to, hashes: await log.consistencyProof(from, to) });
  });

  app.get('/.well-known/jwks.json', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({ keys: await store.logKeys() });
  });

  app.get('/ledger/v1/keys', async (_req, res) => {
    res.json({ keys: (await store.orgKeys()).map((k) => ({ ...k.jwk, kid: k.kid, org: k.org, seq: k.seq })) });
  });

  app.post('/ledger/v1/orgs/:org/keys', async (req, res) => {
    const auth = req.get('authorization') ?? '';
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!token) throw new AppError('UNAUTHENTICATED', 'registering a key needs the admin bearer token (Authorization: Bearer ...)');
    if (!timingSafeEqual(createHash('sha256').update(token).digest(), adminDigest)) {
      throw new AppError('FORBIDDEN', 'the admin token is not valid');
    }
    const { record, created, result } = await operator.registerOrgKey(String(req.params.org), req.body);
    res.status(created ? 201 : 200).json({ kid: record.kid, org: record.org, jwk: record.jwk, seq: record.seq, ...(result ? { checkpoint: result.checkpoint.jws } : {}) });
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, treeSize: sequencer.size });
  });

  app.use(notFoundHandler());
  app.use(problemHandler({ logger: deps.logger }));
  return app;
}
