// EPCIS capture (EPCIS 2.0 REST binding, `POST /epcis/v2/capture`): a partner's document is
// validated against the official schema (400 naming the pointer), mapped onto milkchain commands
// by packages/epcis (422 naming the event index and field, Chinese then English), its eventIDs
// claimed (409 naming those captured before), then answered 202 with a capture id. The commands
// then go, in document order, to the custody services' batch endpoints with the caller's token
// (so the partner's organisation signs, and the deciders check its role, custody and rules); the
// capture's status says running, success (with the custody command ids) or failed (the problem).
//
// All-or-nothing: one event that cannot be mapped refuses the document; the commands of one
// service form one batch, which stands or falls together. A document whose commands span several
// services runs one batch per run of consecutive commands of a service, each waiting for the
// ledger before the next; if a later batch is refused the earlier ones stay recorded (the ledger
// only appends), and the status names both.
import { randomUUID } from 'node:crypto';
import { mapCapture, validateEpcisDocument, type CapturedCommand, type CaptureProblem } from '@milkchain/epcis';
import type { ServiceName } from '@milkchain/domain';
import { AppError, validationFailed, type Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import type { CustodyClient, OrgList } from './upstream.ts';

/** Largest number of events in one captured document. */
export const MAX_CAPTURE_EVENTS = 500;
/** How long each custody batch may wait for the ledger (`Prefer: wait`). */
const WAIT_SECONDS = 30;

export type CaptureStatus = 'running' | 'success' | 'failed';

export interface CaptureRecord {
  id: string;
  org: string;
  status: CaptureStatus;
  eventCount: number;
  createdAt: string;
  finishedAt: string | null;
  /** One per custody batch sent: the service, its command id and the ledger event ids it wrote. */
  results: Array<{ service: ServiceName; command: string; status: string; events: string[]; sources: number[] }>;
  problem: Record<string, unknown> | null;
}

export interface CaptureDeps {
  pool: Pool;
  orgs: OrgList;
  custody: CustodyClient;
  logger: Logger;
  idBase?: string;
}

/** The document checks that answer at once (400 schema, 422 mapping); the commands when they pass. */
export async function checkDocument(deps: Pick<CaptureDeps, 'orgs' | 'idBase'>, doc: unknown): Promise<{ commands: CapturedCommand[]; eventIds: string[] }> {
  const schema = validateEpcisDocument(doc);
  if (!schema.ok) throw validationFailed(schema.errors.slice(0, 50).map((e) => ({ path: e.path, message: e.message })));
  const list = (doc as { epcisBody?: { eventList?: unknown[] } }).epcisBody?.eventList ?? [];
  if (list.length > MAX_CAPTURE_EVENTS) throw validationFailed([{ path: '/epcisBody/eventList', message: `at most ${MAX_CAPTURE_EVENTS} events in one capture` }]);
  if (list.length === 0) throw validationFailed([{ path: '/epcisBody/eventList', message: 'the document has no events' }]);
  const orgs = await deps.orgs.list();
  const byGln = new Map(orgs.filter((o) => o.gln).map((o) => [o.gln!, o.id]));
  const mapped = mapCapture(doc, { orgOfGln: (gln) => byGln.get(gln), ...(deps.idBase ? { idBase: deps.idBase } : {}) });
  if (!mapped.ok) throw captureRefused(mapped.problems);
  if (mapped.commands.length === 0) {
    throw new AppError('RULE_VIOLATED', '文档中没有可导入的事件 / the document has no event milkchain can capture', { problems: [] });
  }
  return { commands: mapped.commands, eventIds: mapped.eventIds };
}

function captureRefused(problems: CaptureProblem[]): AppError {
  const first = problems[0];
  const at = (p: CaptureProblem) => (p.index === null ? p.path : `/epcisBody/eventList/${p.index}${p.path}`);
  const detail = first
    ? `事件 ${first.index ?? '(文档)'} 的 ${first.path || '(整体)'}：${first.reason['zh-CN']} / event ${first.index ?? '(document)'} at ${first.path || '(whole)'}: ${first.reason.en}${problems.length > 1 ? ` (+${problems.length - 1})` : ''}`
    : '无法导入 / cannot be captured';
  return new AppError('RULE_VIOLATED', detail, {
    rule: 'epcis.capture',
    ...(first ? { pointer: at(first) } : {}),
    problems: problems.map((p) => ({ path: at(p), index: p.index, field: p.path, message: p.message, reason: p.reason })),
  });
}

/**
 * Claims the eventIDs and stores the capture as running, in one transaction. Eventids captured
 * before (by any capture still holding them) refuse the document: 409 naming them.
 */
export async function startCapture(pool: Pool, org: string, commands: CapturedCommand[], eventIds: string[], eventCount: number): Promise<string> {
  const id = randomUUID();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO epcis_captures (id, org, status, event_count, commands) VALUES ($1, $2, 'running', $3, $4::jsonb)`, [id, org, eventCount, JSON.stringify(commands)]);
    const { rows } = await client.query<{ event_id: string }>(
      'INSERT INTO epcis_captured_events (event_id, capture_id) SELECT unnest($1::text[]), $2 ON CONFLICT (event_id) DO NOTHING RETURNING event_id',
      [eventIds, id],
    );
    if (rows.length !== eventIds.length) {
      await client.query('ROLLBACK');
      const taken = new Set(rows.map((r) => r.event_id));
      const duplicates = eventIds.filter((e) => !taken.has(e));
      throw new AppError('CONFLICT', `这些 eventID 已导入过 / these eventIDs were captured before: ${duplicates.slice(0, 5).join(', ')}${duplicates.length > 5 ? ` (+${duplicates.length - 5})` : ''}`, {
        rule: 'epcis.duplicate',
        eventIds: duplicates,
      });
    }
    await client.query('COMMIT');
    return id;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Consecutive commands of one service: one batch each (at most 500 commands, the batch endpoint's limit). */
export function batchesOf(commands: readonly CapturedCommand[]): Array<{ service: ServiceName; commands: CapturedCommand[] }> {
  const out: Array<{ service: ServiceName; commands: CapturedCommand[] }> = [];
  for (const c of commands) {
    const last = out.at(-1);
    if (last && last.service === c.service && last.commands.length < 500) last.commands.push(c);
    else out.push({ service: c.service, commands: [c] });
  }
  return out;
}

/** Sends the capture's commands to the custody services and records the outcome. Never throws. */
export async function runCapture(deps: CaptureDeps, id: string, token: string, commands: readonly CapturedCommand[]): Promise<void> {
  const results: CaptureRecord['results'] = [];
  const finish = async (status: CaptureStatus, problem: Record<string, unknown> | null) => {
    const client = await deps.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE epcis_captures SET status = $2, results = $3::jsonb, problem = $4::jsonb, finished_at = now() WHERE id = $1', [
        id,
        status,
        JSON.stringify(results),
        problem === null ? null : JSON.stringify(problem),
      ]);
      // Nothing of a failed capture was written: its eventIDs may be sent again once fixed.
      if (status === 'failed' && results.length === 0) await client.query('DELETE FROM epcis_captured_events WHERE capture_id = $1', [id]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };
  try {
    for (const batch of batchesOf(commands)) {
      const sources = batch.commands.map((c) => c.source);
      const answer = await deps.custody.batch(
        batch.service,
        token,
        batch.commands.map((c) => ({ command: c.command, body: c.body })),
        WAIT_SECONDS,
      );
      if (answer.status !== 201 && answer.status !== 202) {
        await finish('failed', {
          ...answer.body,
          status: answer.status,
          service: batch.service,
          sources,
          detail: `${batch.service} 拒绝了事件 ${sources.join(', ')} 的指令 / ${batch.service} refused the commands of events ${sources.join(', ')}: ${String(answer.body.detail ?? answer.status)}`,
        });
        return;
      }
      const events = Array.isArray(answer.body.events) ? (answer.body.events as Array<{ id: string }>).map((e) => e.id) : [];
      results.push({ service: batch.service, command: String(answer.body.command), status: String(answer.body.status), events, sources });
    }
    await finish('success', null);
  } catch (err) {
    deps.logger.error('epcis capture failed', { capture: id, error: (err as Error).message });
    await finish('failed', { status: 503, code: 'UNAVAILABLE', detail: `导入中断 / the capture could not be completed: ${(err as Error).message}` }).catch((e: unknown) =>
      deps.logger.error('epcis capture status not stored', { capture: id, error: (e as Error).message }),
    );
  }
}

export async function readCapture(pool: Pool, id: string): Promise<CaptureRecord | undefined> {
  const { rows } = await pool.query<{ id: string; org: string; status: CaptureStatus; event_count: number; created_at: Date; finished_at: Date | null; results: CaptureRecord['results']; problem: Record<string, unknown> | null }>(
    'SELECT id, org, status, event_count, created_at, finished_at, results, problem FROM epcis_captures WHERE id = $1',
    [id],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: r.id,
    org: r.org,
    status: r.status,
    eventCount: r.event_count,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    results: r.results,
    problem: r.problem,
  };
}
