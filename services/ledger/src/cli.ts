import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { createPool } from '@milkchain/store';
import { audit, storeSource, type AuditProgress, type AuditReport } from './audit.ts';
import { httpSource } from './audit-http.ts';
import { PostgresLedgerStore } from './store/postgres.ts';

const HELP = `milkchain verify: audit a milkchain ledger / 审计账本

Usage:
  milkchain verify [--database URL | --server URL] [--jwks FILE_OR_URL] [--operator ORG] [--record] [--json]

  --database URL   audit the PostgreSQL database directly (also DATABASE_URL)
  --server URL     audit a running ledger over its public API (default http://localhost:8080)
  --jwks X         the log's public keys to trust (a JWKS file or URL). Without it the keys are
                   read from the same database or server being audited, which a tamperer could
                   also replace: pin them for a real audit.
  --operator ORG   the log operator's organisation id (default org_milkchain)
  --record         store the result in the database (ledger_audits), shown to regulators
  --json           print the report as JSON

Exit status: 0 when everything holds, 1 when the audit found a disagreement, 2 on usage errors.`;

async function loadJwks(spec: string): Promise<JWK[]> {
  const text = /^https?:\/\//.test(spec) ? await (await fetch(spec)).text() : readFileSync(spec, 'utf8');
  const parsed = JSON.parse(text) as { keys?: JWK[] };
  if (!Array.isArray(parsed.keys)) throw new Error(`${spec} is not a JWKS ({"keys": [...]})`);
  return parsed.keys;
}

function progressPrinter(stream: NodeJS.WriteStream) {
  let last = 0;
  const t0 = performance.now();
  return (p: AuditProgress) => {
    const now = performance.now();
    if (now - last < 250 && p.done < p.total) return;
    last = now;
    const pct = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
    const rate = p.done / Math.max(1e-3, (now - t0) / 1000);
    const width = 30;
    const bar = '█'.repeat(Math.round((pct / 100) * width)).padEnd(width, '░');
    const line = `校验中 verifying ${bar} ${pct}%  ${p.done}/${p.total} entries  ${Math.round(rate)}/s`;
    if (stream.isTTY) stream.write(`\r${line}`);
    else stream.write(`${line}\n`);
  };
}

function printReport(r: AuditReport) {
  const rate = Math.round(r.entries / Math.max(r.seconds, 1e-6));
  if (r.ok) {
    console.log(`✔ 账本完整 / ledger verified: ${r.entries} entries, ${r.checkpoints} checkpoints, ${r.tiles} stored tiles checked in ${r.seconds.toFixed(2)} s (${rate} entries/s)`);
  } else {
    const first = r.issues[0]!;
    console.log(`✘ 账本校验失败 / verification FAILED`);
    console.log(`  first disagreement: ${first.seq === null ? '(log-wide)' : `entry seq ${first.seq}`}${first.id ? ` (id ${first.id})` : ''}`);
    console.log(`  check: ${first.check}`);
    console.log(`  ${first.detail}`);
    if (r.issues.length > 1) {
      console.log(`  ${r.issues.length - 1} more issue(s):`);
      for (const i of r.issues.slice(1, 10)) console.log(`   - ${i.seq === null ? 'log' : `seq ${i.seq}`}: ${i.check}: ${i.detail}`);
    }
  }
  console.log(`  trusted log keys: ${r.trust}`);
}

async function verify(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      database: { type: 'string' },
      server: { type: 'string' },
      jwks: { type: 'string' },
      operator: { type: 'string', default: process.env.MILKCHAIN_OPERATOR_ORG ?? 'org_milkchain' },
      record: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const databaseUrl = values.database ?? (values.server ? undefined : process.env.DATABASE_URL);
  const onProgress = values.json ? undefined : progressPrinter(process.stderr);
  const started = new Date();
  if (databaseUrl) {
    const pool = createPool(databaseUrl, 4);
    try {
      const store = new PostgresLedgerStore(pool);
      const logKeys = values.jwks ? await loadJwks(values.jwks) : ((await store.logKeys()) as JWK[]);
      const trust = values.jwks ? `pinned from ${values.jwks}` : 'read from the audited database (pin them with --jwks)';
      // The database audit of a whole log: the order-free checks on worker threads (1.6 times the
      // rate on the 2-core benchmark machine at 1M entries, docs/benchmarks.md).
      const workers = Math.min(2, availableParallelism());
      const report = await audit(storeSource(store), { logKeys, trust, operatorOrg: values.operator!, onProgress, workers });
      if (onProgress) process.stderr.write('\n');
      if (values.record) {
        await pool.query('INSERT INTO ledger_audits (started_at, finished_at, tree_size, ok, report) VALUES ($1, now(), $2, $3, $4)', [
          started,
          report.entries,
          report.ok,
          JSON.stringify({ ...report, issues: report.issues.slice(0, 20) }),
        ]);
      }
      if (values.json) console.log(JSON.stringify(report));
      else printReport(report);
      return report.ok ? 0 : 1;
    } finally {
      await pool.end();
    }
  }
  const server = (values.server ?? 'http://localhost:8080').replace(/\/$/, '');
  const logKeys = await loadJwks(values.jwks ?? `${server}/.well-known/jwks.json`);
  const trust = values.jwks ? `pinned from ${values.jwks}` : `read from ${server}/.well-known/jwks.json (pin them with --jwks)`;
  const report = await audit(httpSource(server), { logKeys, trust, operatorOrg: values.operator!, onProgress, pageSize: 1000 });
  if (onProgress) process.stderr.write('\n');
  if (values.json) console.log(JSON.stringify(report));
  else printReport(report);
  return report.ok ? 0 : 1;
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'verify') process.exitCode = await verify(rest);
  else {
    console.log(HELP);
    process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
} catch (err) {
  console.error(`milkchain: ${(err as Error).message}`);
  process.exitCode = 2;
}
