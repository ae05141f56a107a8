/**
 * Recall commands, served by the trace service (it alone can compute a recall's scope): start a
 * recall from a root, each holder's acknowledgement, and closing it. They use the same write path
 * as the custody commands (validate, authorise, decide, sign, outbox), so each step is an event
 * in the ledger signed by the acting organisation.
 */
import { z } from 'zod';
import { gtin14, longText, lotList, units, urn } from '../../fields.ts';
import { isRefusal, refuse, type Refusal } from '../../refusal.ts';
import { subjectFor, localId, subjectLot } from '../subjects.ts';
import type { CustodyObject, DecisionContext } from '../types.ts';
import { defineCommand, firstRefusal, lookUp, mustBeNew, notInFuture, occurredAt, whenOf } from './common.ts';

/** A recall's lot as the recall object keeps it: who held how much when the recall was folded. */
export interface RecallLot {
  subject: string;
  gtin: string;
  lot: string;
  holdings: Record<string, number>;
}

export interface RecallAcknowledgement {
  at: string;
  lotsHeld: Array<{ gtin: string; lot: string; units: number }>;
  note?: string;
}

export const recallSubject = (recallId: string) => subjectFor('recall', recallId);

export function recallLots(recall: CustodyObject): RecallLot[] {
  return Array.isArray(recall.data.lots) ? (recall.data.lots as RecallLot[]) : [];
}

export function recallHolders(recall: CustodyObject): string[] {
  return Array.isArray(recall.data.holders) ? (recall.data.holders as string[]) : [];
}

export function recallAcknowledgements(recall: CustodyObject): Record<string, RecallAcknowledgement> {
  const a = recall.data.acknowledgements;
  return typeof a === 'object' && a !== null ? (a as Record<string, RecallAcknowledgement>) : {};
}

/** Holders that have not acknowledged yet, sorted. */
export function recallPending(recall: CustodyObject): string[] {
  const acks = recallAcknowledgements(recall);
  return recallHolders(recall).filter((org) => !Object.hasOwn(acks, org));
}

const recallId = localId(64).describe('The recall\'s id, e.g. RC-2026-0007 (letters, digits, . _ -)');

function notClosed(recall: CustodyObject): Refusal | undefined {
  if (recall.status !== 'closed') return undefined;
  return refuse('conflict', 'recall.closed', `召回 ${recall.subject} 已经关闭`, `The recall ${recall.subject} is closed`, { path: '/recallId', details: { closed: recall.data.closed ?? null } });
}

// ---------------------------------------------------------------------------------------------

const initiateRecall = z.strictObject({
  recallId,
  level: z.enum(['I', 'II', 'III']).describe('食品召回管理办法: I (serious health hazard) to III'),
  cause: z.enum(['microbiological', 'chemical_residue', 'veterinary_drug', 'foreign_matter', 'allergen', 'labelling', 'quality', 'counterfeit', 'other']),
  description: longText(2000),
  root: urn.describe('Where the trace starts: a collection, load, sample, batch or lot subject (a farm and date range is resolved to its collections by the trace service)'),
  action: z.enum(['stop_sale_and_return', 'destroy', 'relabel', 'other']),
  lots: lotList(z.strictObject({ gtin: gtin14, lot: subjectLot }))
    .min(1)
    .describe('The scope: every lot made from the root. Computed by the trace service (forward trace), never taken from the caller'),
  occurredAt,
});
type InitiateRecall = z.infer<typeof initiateRecall>;

const lotOf = (l: { gtin: string; lot: string }) => subjectFor('lot', l.gtin, l.lot);

/** A processor or workshop recalls only what it made; a regulator may recall anything. */
function mayRecall(ctx: DecisionContext, lots: readonly CustodyObject[]): Refusal | undefined {
  if (ctx.roles.includes('regulator')) return undefined;
  const foreign = lots.filter((l) => l.org !== ctx.org);
  if (foreign.length === 0) return undefined;
  const names = foreign.map((l) => l.subject);
  return refuse(
    'conflict',
    'recall.not-maker',
    `${ctx.org} 只能召回自己生产的包装批；${names.join('、')} 由其他企业生产，须由监管部门启动召回`,
    `${ctx.org} may recall only lots it made; ${names.join(', ')} were made by others: a regulator must start this recall`,
    { path: '/root', details: { lots: names, makers: [...new Set(foreign.map((l) => l.org))] } },
  );
}

export const recallInitiate = defineCommand<InitiateRecall>({
  name: 'recall.initiate',
  service: 'trace',
  path: '/recalls',
  roles: ['regulator', 'processor', 'workshop'],
  summary: {
    'zh-CN': '启动召回：从追溯起点计算出的全部包装批立即暂扣，并通知每个持有企业',
    en: 'Start a recall: every lot traced forward from the root is held at once and each holder is notified',
  },
  schema: initiateRecall,
  example: {
    recallId: 'RC-2026-0007',
    level: 'I',
    cause: 'chemical_residue',
    description: '黄曲霉毒素M1超标（0.62 µg/kg，限量0.5，GB 2761），召回该车次生乳制成的全部产品。\nAflatoxin M1 above the limit; every lot made from the load is recalled.',
    root: 'urn:milkchain:load:org_saihan_collect:SH-20261123-01',
    action: 'stop_sale_and_return',
    lots: [{ gtin: '06901234000016', lot: '261123P1B' }],
    occurredAt: '2026-11-25T11:00:00+08:00',
  },
  needs: (cmd) => ({ subjects: [recallSubject(cmd.recallId), ...cmd.lots.map(lotOf)] }),
  decide(cmd, ctx) {
    const subject = recallSubject(cmd.recallId);
    const refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'), mustBeNew(ctx, subject, 'recall', '/recallId'));
    if (refused) return refused;
    const lots: CustodyObject[] = [];
    for (const [i, line] of cmd.lots.entries()) {
      const lot = lookUp(ctx, lotOf(line), ['lot'], `/lots/${i}/lot`);
      if (isRefusal(lot)) return lot;
      lots.push(lot);
    }
    const notMaker = mayRecall(ctx, lots);
    if (notMaker) return notMaker;
    const { occurredAt: _at, ...data } = cmd;
    return [{ kind: 'recall.initiated', kindVersion: 1, subject, occurredAt: whenOf(cmd, ctx), data, inputSubjects: lots.map((l) => l.subject) }];
  },
});

// ---------------------------------------------------------------------------------------------

const acknowledgeRecall = z.strictObject({
  recallId,
  lotsHeld: lotList(z.strictObject({ gtin: gtin14, lot: subjectLot, units: units(0) }))
    .optional()
    .describe('The units of each recalled lot the holder has taken off sale; default: what it held of each when the recall started'),
  note: longText(1000).optional().describe('A comment for the initiator'),
  occurredAt,
});
type AcknowledgeRecall = z.infer<typeof acknowledgeRecall>;

export const recallAcknowledge = defineCommand<AcknowledgeRecall>({
  name: 'recall.acknowledge',
  service: 'trace',
  path: '/recalls/acknowledgements',
  roles: ['processor', 'workshop', 'logistics', 'retailer'],
  summary: {
    'zh-CN': '持有企业确认收到召回通知，并报告已下架封存的数量（可附说明）',
    en: 'A holder acknowledges a recall and reports the units it has taken off sale (with a comment)',
  },
  schema: acknowledgeRecall,
  example: {
    recallId: 'RC-2026-0007',
    lotsHeld: [{ gtin: '06901234000016', lot: '261123P1B', units: 4488 }],
    note: '已全部下架封存 all units off the shelves and sealed',
    occurredAt: '2026-11-25T13:20:00+08:00',
  },
  needs: (cmd) => ({ subjects: [recallSubject(cmd.recallId)] }),
  decide(cmd, ctx) {
    const recall = lookUp(ctx, recallSubject(cmd.recallId), ['recall'], '/recallId');
    if (isRefusal(recall)) return recall;
    let refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'), notClosed(recall));
    if (refused) return refused;
    const holders = recallHolders(recall);
    if (!holders.includes(ctx.org)) {
      return refuse('conflict', 'recall.not-holder', `${ctx.org} 不持有召回 ${recall.subject} 范围内的产品，无需确认`, `${ctx.org} holds none of the lots of ${recall.subject}: there is nothing to acknowledge`, {
        path: '/recallId',
        details: { holders },
      });
    }
    const ack = recallAcknowledgements(recall)[ctx.org];
    if (ack) {
      return refuse('conflict', 'recall.already-acknowledged', `${ctx.org} 已于 ${ack.at} 确认召回 ${recall.subject}`, `${ctx.org} acknowledged ${recall.subject} at ${ack.at}`, {
        path: '/recallId',
        details: { acknowledged: ack },
      });
    }
    const scope = recallLots(recall);
    const inScope = new Set(scope.map((l) => l.subject));
    refused = firstRefusal(
      ...(cmd.lotsHeld ?? []).map((l, i) =>
        inScope.has(lotOf(l))
          ? undefined
          : refuse('rule', 'recall.lot-not-in-scope', `包装批 ${l.gtin}/${l.lot} 不在召回 ${recall.subject} 的范围内`, `The lot ${l.gtin}/${l.lot} is not in the scope of ${recall.subject}`, {
              path: `/lotsHeld/${i}/lot`,
            }),
      ),
    );
    if (refused) return refused;
    const lotsHeld = cmd.lotsHeld ?? scope.filter((l) => (l.holdings[ctx.org] ?? 0) > 0).map((l) => ({ gtin: l.gtin, lot: l.lot, units: l.holdings[ctx.org]! }));
    return [
      {
        kind: 'recall.acknowledged',
        kindVersion: 1,
        subject: recall.subject,
        occurredAt: whenOf(cmd, ctx),
        data: { recallId: cmd.recallId, lotsHeld, ...(cmd.note === undefined ? {} : { note: cmd.note }) },
        inputSubjects: [],
      },
    ];
  },
});

// ---------------------------------------------------------------------------------------------

const count = z.int().min(0).max(1_000_000_000);

const closeRecall = z.strictObject({
  recallId,
  outcome: z.enum(['completed', 'terminated']).default('completed'),
  unitsRecovered: count.optional().describe('Default: the units the holders reported off sale'),
  unitsDestroyed: count.optional().describe('Default: 0'),
  summary: longText(1000),
  force: z.boolean().optional().describe('Close although some holders have not acknowledged; needs a reason'),
  reason: longText(300).optional().describe('Why the recall is closed before every holder acknowledged (with force)'),
  occurredAt,
});
type CloseRecall = z.infer<typeof closeRecall>;

/** How many unacknowledged holders a forced closure names in its summary. */
const NAMED_PENDING = 8;

export const recallClose = defineCommand<CloseRecall>({
  name: 'recall.close',
  service: 'trace',
  path: '/recalls/closures',
  roles: ['regulator', 'processor', 'workshop'],
  summary: {
    'zh-CN': '关闭召回（仅限发起方）：须每个持有企业都已确认；否则须 force 并说明理由，理由与未确认企业记入账本',
    en: 'Close a recall (its initiator only): every holder must have acknowledged, or force with a reason, which is recorded with the holders that had not',
  },
  schema: closeRecall,
  example: {
    recallId: 'RC-2026-0007',
    outcome: 'completed',
    unitsRecovered: 4488,
    unitsDestroyed: 4488,
    summary: '召回完成，回收产品已无害化处理。\nRecall complete; recovered units destroyed.',
    occurredAt: '2026-12-02T17:00:00+08:00',
  },
  needs: (cmd) => ({ subjects: [recallSubject(cmd.recallId)] }),
  decide(cmd, ctx) {
    const recall = lookUp(ctx, recallSubject(cmd.recallId), ['recall'], '/recallId');
    if (isRefusal(recall)) return recall;
    const refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'), notClosed(recall));
    if (refused) return refused;
    if (recall.org !== ctx.org) {
      return refuse('conflict', 'recall.not-initiator', `召回 ${recall.subject} 由 ${recall.org} 发起，只有发起方可以关闭`, `The recall ${recall.subject} was started by ${recall.org}; only its initiator can close it`, {
        path: '/recallId',
        details: { initiator: recall.org, org: ctx.org },
      });
    }
    const pending = recallPending(recall);
    if (pending.length > 0 && cmd.force !== true) {
      return refuse(
        'conflict',
        'recall.unacknowledged',
        `还有 ${pending.length} 个持有企业未确认召回（${pending.join('、')}）：等待确认，或以 force 并说明理由强制关闭`,
        `${pending.length} holder(s) have not acknowledged the recall (${pending.join(', ')}): wait for them, or close with force and a reason`,
        { path: '/recallId', details: { pending } },
      );
    }
    if (pending.length > 0 && cmd.reason === undefined) {
      return refuse('rule', 'recall.force-reason', '强制关闭召回须说明理由', 'Closing a recall with force needs a reason', { path: '/reason', details: { pending } });
    }
    const acks = Object.values(recallAcknowledgements(recall));
    const reported = acks.reduce((n, a) => n + a.lotsHeld.reduce((m, l) => m + l.units, 0), 0);
    const named = pending.slice(0, NAMED_PENDING).join(', ') + (pending.length > NAMED_PENDING ? ` (+${pending.length - NAMED_PENDING})` : '');
    const summary =
      pending.length > 0
        ? `${cmd.summary}\n强制关闭，未确认：${named}。理由：${cmd.reason!}\nClosed with force; not acknowledged: ${named}; the reason is given above.`
        : cmd.summary;
    return [
      {
        kind: 'recall.closed',
        kindVersion: 1,
        subject: recall.subject,
        occurredAt: whenOf(cmd, ctx),
        data: { recallId: cmd.recallId, outcome: cmd.outcome, unitsRecovered: cmd.unitsRecovered ?? reported, unitsDestroyed: cmd.unitsDestroyed ?? 0, summary },
        inputSubjects: [],
      },
    ];
  },
});

export const RECALL_COMMANDS = [recallInitiate, recallAcknowledge, recallClose] as const;
