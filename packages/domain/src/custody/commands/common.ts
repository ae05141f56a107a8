/**
 * What every command shares: the optional `occurredAt`, its default and its limit, and the
 * refusals deciders give about the objects a command names (missing, in the wrong state, not the
 * caller's).
 */
import { z } from 'zod';
import { gln13, text, timestamp } from '../../fields.ts';
import { refuse, type Refusal } from '../../refusal.ts';
import type { CommandDefinition, CustodyObject, DecisionContext, ObjectType } from '../types.ts';

/** A command may say when it happened up to this far ahead of the server's clock (clock skew). */
export const FUTURE_SLACK_MS = 5 * 60_000;

/**
 * The offset a defaulted `occurredAt` is written in: Beijing time (UTC+8, no daylight saving), as
 * the chain's own records are; an explicit `occurredAt` keeps the offset its author gave.
 */
export const DEFAULT_OFFSET = '+08:00';

export const occurredAt = timestamp.optional().describe('When it happened (RFC 3339 with offset); default: now. At most 5 minutes ahead of the server clock.');

/** `now` as RFC 3339 in Beijing time, to the second, e.g. 2026-11-23T06:10:00+08:00. */
export function beijingTime(now: Date): string {
  return `${new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}${DEFAULT_OFFSET}`;
}

/** The command's `occurredAt`, or now. */
export function whenOf(cmd: { occurredAt?: string | undefined }, ctx: Pick<DecisionContext, 'now'>): string {
  return cmd.occurredAt ?? beijingTime(ctx.now);
}

/** The calendar date of an RFC 3339 time in its own offset (what a label or a receipt shows). */
export function localDate(time: string): string {
  return time.slice(0, 10);
}

/** Refuses a time more than FUTURE_SLACK_MS ahead of `now`: nobody records what has not happened. */
export function notInFuture(time: string | undefined, ctx: Pick<DecisionContext, 'now'>, path: string): Refusal | undefined {
  if (time === undefined || Date.parse(time) <= ctx.now.getTime() + FUTURE_SLACK_MS) return undefined;
  return refuse(
    'rule',
    'command.time.future',
    `${path.slice(1)} 为 ${time}，晚于当前时间 ${beijingTime(ctx.now)}：不能记录尚未发生的事，请检查设备时钟`,
    `${path.slice(1)} is ${time}, later than now (${beijingTime(ctx.now)}): nothing can be recorded before it happens; check the device's clock`,
    { path, details: { time, now: ctx.now.toISOString(), slackSeconds: FUTURE_SLACK_MS / 1000 } },
  );
}

/** Refuses `time` earlier than `earliest` (e.g. a reception before the load was loaded). */
export function notBefore(time: string, earliest: string, path: string, what: { 'zh-CN': string; en: string }): Refusal | undefined {
  if (!(Date.parse(time) < Date.parse(earliest))) return undefined;
  return refuse(
    'rule',
    'command.time.order',
    `${path.slice(1)} 为 ${time}，早于${what['zh-CN']}（${earliest}）：请检查时间`,
    `${path.slice(1)} is ${time}, before ${what.en} (${earliest}): check the time`,
    { path, details: { time, earliest } },
  );
}

const TYPE_NAMES: Readonly<Record<ObjectType, { 'zh-CN': string; en: string }>> = {
  animal: { 'zh-CN': '牲畜', en: 'animal' },
  collection: { 'zh-CN': '挤奶收集', en: 'collection' },
  load: { 'zh-CN': '收奶车次', en: 'load' },
  batch: { 'zh-CN': '生产批次', en: 'batch' },
  lot: { 'zh-CN': '包装批', en: 'lot' },
  sample: { 'zh-CN': '样品', en: 'sample' },
  shipment: { 'zh-CN': '物流单元', en: 'shipment' },
  recall: { 'zh-CN': '召回', en: 'recall' },
};

export function typeName(type: ObjectType): { 'zh-CN': string; en: string } {
  return TYPE_NAMES[type];
}

/**
 * The object `subject` of one of `types`, or a refusal: not_found when it is not recorded (or is
 * of another type).
 */
export function lookUp(ctx: DecisionContext, subject: string, types: readonly ObjectType[], path: string): CustodyObject | Refusal {
  const o = ctx.objects.get(subject);
  if (o && types.includes(o.type)) return o;
  const zh = types.map((t) => TYPE_NAMES[t]['zh-CN']).join('或');
  const en = types.map((t) => TYPE_NAMES[t].en).join(' or ');
  return refuse('not_found', types.length === 1 ? `${types[0]}.not-found` : 'custody.not-found', `没有找到${zh} ${subject}：请检查编号，或等它记入账本后再试`, `No ${en} ${subject} is recorded: check the id, or try again once it is in the ledger`, {
    path,
    details: { subject, ...(o ? { type: o.type } : {}) },
  });
}

/** Refuses to create `subject` when it exists already (ids are never reused). */
export function mustBeNew(ctx: DecisionContext, subject: string, type: ObjectType, path: string): Refusal | undefined {
  const o = ctx.objects.get(subject);
  if (!o) return undefined;
  const name = TYPE_NAMES[type];
  return refuse('conflict', `${type}.exists`, `${name['zh-CN']} ${subject} 已经登记过（${o.occurredAt}）：编号不能重复使用`, `The ${name.en} ${subject} is already recorded (${o.occurredAt}): ids are never reused`, {
    path,
    details: { subject, org: o.org },
  });
}

const STATUS_NAMES: Readonly<Record<CustodyObject['status'], { 'zh-CN': string; en: string }>> = {
  active: { 'zh-CN': '可用', en: 'active' },
  held: { 'zh-CN': '已暂扣', en: 'on hold' },
  rejected: { 'zh-CN': '已拒收', en: 'rejected' },
  closed: { 'zh-CN': '已用完或已关闭', en: 'used up or closed' },
};

/**
 * Refuses to use an object that is held (a non-conformant result, a hold on a lot), rejected or
 * closed: custody state, so a conflict.
 */
export function mustBeUsable(o: CustodyObject, path: string): Refusal | undefined {
  if (o.status === 'active') return undefined;
  const name = TYPE_NAMES[o.type];
  const status = STATUS_NAMES[o.status];
  const hold = o.status === 'held' ? { hold: o.data.hold ?? null } : {};
  return refuse(
    'conflict',
    `${o.type}.${o.status === 'held' ? 'on-hold' : o.status}`,
    `${name['zh-CN']} ${o.subject} ${status['zh-CN']}，不能使用、发运或销售${o.status === 'held' ? '：须先查明原因并放行' : ''}`,
    `The ${name.en} ${o.subject} is ${status.en} and cannot be used, shipped or sold${o.status === 'held' ? ': the hold must be lifted first' : ''}`,
    { path, details: { subject: o.subject, status: o.status, ...hold } },
  );
}

/** Refuses when the caller's organisation is not `owner` (objects only their creator may change). */
export function mustOwn(o: CustodyObject, org: string, path: string): Refusal | undefined {
  if (o.org === org) return undefined;
  const name = TYPE_NAMES[o.type];
  return refuse('conflict', 'custody.not-owner', `${name['zh-CN']} ${o.subject} 属于 ${o.org}，${org} 不能对它记录`, `The ${name.en} ${o.subject} belongs to ${o.org}; ${org} cannot record on it`, {
    path,
    details: { subject: o.subject, owner: o.org, org },
  });
}

/** Runs checks in order and returns the first refusal. */
export function firstRefusal(...checks: Array<Refusal | undefined>): Refusal | undefined {
  return checks.find((c) => c !== undefined);
}

/** Declares a command; the table holds them as CommandDefinition (the services are generic over C). */
export function defineCommand<C>(def: CommandDefinition<C>): CommandDefinition {
  return def as unknown as CommandDefinition;
}

/** A place the caller names for itself: its organisation comes from its token, not the body. */
export const ownPlace = z.strictObject({
  gln: gln13.optional(),
  name: text(120).optional(),
});
