// The regulator's own audit of the ledger: every entry read over the ledger's public API
// (`/ledger/v1/entries`), re-canonicalised (RFC 8785) and re-hashed, every chain link, input and
// signature checked and the tree rebuilt up to the latest signed checkpoint, whose signature and
// root are checked against the log's published keys: all through packages/ledger's LogAuditor,
// the one verifier. Stored in regulator_audits, so the view shows when it ran and what it found.
// Keys are read from the audited ledger's /.well-known/jwks.json (as `milkchain verify --server`
// does without --jwks); the report says so.
import { canonicalBytes, LogAuditor, type EventSignature } from '@milkchain/ledger';
import type { Queryable } from '../lineage/queries.ts';
import type { LedgerEntries } from '../epcis/upstream.ts';
import type { StoredAudit } from './queries.ts';

export interface AuditOptions {
  /** The organisation that registers keys in the log (the ledger's MILKCHAIN_OPERATOR_ORG); default org_milkchain. */
  operatorOrg?: string;
  /** The log's origin, when pinned (checkpoints must name it). */
  origin?: string;
  pageSize?: number;
}

export interface AuditReport {
  ok: boolean;
  entries: number;
  treeSize: number;
  rootHash: string;
  checkpointIssuedAt: string;
  seconds: number;
  issues: Array<{ seq: number | null; id: string | null; check: string; detail: string }>;
  trust: string;
}

export async function auditLedger(ledger: LedgerEntries, opts: AuditOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const [cp, logKeys] = await Promise.all([ledger.checkpoint(), ledger.logKeys()]);
  const auditor = new LogAuditor({ logKeys, operatorOrg: opts.operatorOrg ?? 'org_milkchain', origin: opts.origin, maxIssues: 20 });
  const pageSize = Math.min(opts.pageSize ?? 1000, 1000);
  const extra: AuditReport['issues'] = [];
  for (let start = 0; start < cp.treeSize; start += pageSize) {
    const page = await ledger.rawEntries(start, Math.min(pageSize, cp.treeSize - start));
    for (const e of page.entries) {
      if (e.seq >= cp.treeSize) break;
      const signature: EventSignature = typeof e.signature === 'string' ? e.signature : { jws: e.signature.jws, ids: page.bulkSignatures[e.signature.bulk] ?? [] };
      await auditor.addEntry({ seq: e.seq, id: e.id, canonical: canonicalBytes(e.event), signature });
    }
    if (page.entries.length === 0) break;
  }
  if (auditor.size !== cp.treeSize) {
    extra.push({ seq: auditor.size, id: null, check: 'truncated', detail: `the latest checkpoint covers ${cp.treeSize} entries but the ledger served ${auditor.size}` });
  } else {
    await auditor.checkCheckpoint(cp.checkpoint);
  }
  await auditor.finish();
  const issues = [...auditor.issues.map((i) => ({ seq: i.seq, id: i.id ?? null, check: i.check, detail: i.detail })), ...extra];
  return {
    ok: issues.length === 0,
    entries: auditor.size,
    treeSize: cp.treeSize,
    rootHash: cp.rootHash,
    checkpointIssuedAt: cp.issuedAt,
    seconds: (performance.now() - started) / 1000,
    issues,
    trust: 'log keys read from the audited ledger (/.well-known/jwks.json)',
  };
}

export async function recordAudit(db: Queryable, startedAt: Date, report: AuditReport): Promise<StoredAudit> {
  const { rows } = await db.query<{ id: string; finished_at: Date }>(
    'INSERT INTO regulator_audits (started_at, finished_at, tree_size, ok, report) VALUES ($1, now(), $2, $3, $4::jsonb) RETURNING id, finished_at',
    [startedAt.toISOString(), report.treeSize, report.ok, JSON.stringify(report)],
  );
  const r = rows[0]!;
  return { id: Number(r.id), startedAt: startedAt.toISOString(), finishedAt: r.finished_at.toISOString(), treeSize: report.treeSize, ok: report.ok, report: report as unknown as Record<string, unknown> };
}
