/**
 * The audit's order-free checks on worker threads. Each chunk of the log goes to one worker of a
 * small pool, which runs @milkchain/ledger's `inspectEntryBytes` (leaf hash, stored id, parse,
 * RFC 8785 form, envelope) and `inspectSignature` on every entry; the audit then feeds the
 * results, in log order, to `LogAuditor.addInspected` (sequence, duplicates, chains, inputs, keys
 * in log order, tree, checkpoints). Nothing is checked less: a signature verdict counts only if it
 * was made with the very key the log had registered for the signer at that entry's position,
 * otherwise the sequential part checks the signature itself.
 *
 * Keys a worker knows: the log keys (for the operator's key registrations) and every key
 * registration it has seen (in its own chunks, or announced by `learnKey`). A kid is the RFC 7638
 * thumbprint of its key, so a kid names one key whoever registered it, and when; whether that
 * registration counts at a given position is the sequential part's decision.
 *
 * Node-only (worker_threads), hence here and not in @milkchain/ledger, which stays browser-safe.
 * Workers run the TypeScript sources through tsx's loader, registered inside the worker.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  HASH_SIZE,
  inspectEntryBytes,
  inspectSignature,
  ORG_KEY_REGISTERED,
  registeredKeyOf,
  type EntryInspection,
  type EntryProblemCheck,
  type EventSignature,
  type InspectedEvent,
  type SignatureVerdict,
} from '@milkchain/ledger';

export interface InspectableEntry {
  id: string;
  canonical: Uint8Array;
  signature: EventSignature;
}

export interface InspectorPool {
  /** What each entry says on its own, in the chunk's order. Chunks may be in flight at once. */
  inspect(entries: readonly InspectableEntry[]): Promise<EntryInspection[]>;
  /** A key registration (kid -> Ed25519 x) the sequential part accepted: tells every worker. */
  learnKey(kid: string, x: string): void;
  close(): Promise<void>;
}

const ROLE = 'milkchain-audit-inspector';

interface InitData {
  role: typeof ROLE;
  operatorOrg: string;
  /** Log keys: kid -> x. */
  logKeys: Array<[string, string]>;
}

/** A chunk as posted to a worker: the bytes in one transferred buffer, bulk signatures once. */
interface ChunkMessage {
  type: 'chunk';
  n: number;
  bytes: Uint8Array;
  /** Entry i's bytes: bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  ids: string[];
  /** A single signature, or the index of a bulk signature in `bulks`. */
  sigs: Array<string | number>;
  bulks: Array<{ jws: string; ids: string[] }>;
}

interface KeyMessage {
  type: 'key';
  kid: string;
  x: string;
}

/** A chunk's results, column by column (cheap to clone), leaves in one transferred buffer. */
interface ResultMessage {
  n: number;
  leaves: Uint8Array;
  ids: string[];
  problems: Array<[number, EntryProblemCheck, string]>;
  /** The envelope fields, one column each; kind null: the bytes are not a valid envelope. */
  kinds: Array<string | null>;
  orgs: string[];
  subjects: string[];
  prevs: Array<string | null>;
  /** Only entries with inputs, or with registration data: [index, value]. */
  inputs: Array<[number, string[]]>;
  data: Array<[number, Record<string, unknown>]>;
  /** Distinct verdicts without `covers`; per entry its index, -1 for none. */
  verdicts: Array<Omit<SignatureVerdict, 'covers'>>;
  verdictOf: Int32Array;
  covers: Uint8Array;
  error?: string;
}

export function startInspectorPool(options: { workers: number; logKeys: ReadonlyArray<{ kid?: string; x?: string }>; operatorOrg: string }): InspectorPool {
  const init: InitData = {
    role: ROLE,
    operatorOrg: options.operatorOrg,
    logKeys: options.logKeys.flatMap((k) => (typeof k.kid === 'string' && typeof k.x === 'string' ? [[k.kid, k.x] as [string, string]] : [])),
  };
  const bootstrap = workerBootstrap();
  const workers = Array.from({ length: Math.max(1, options.workers) }, () => {
    const worker = new Worker(bootstrap, { eval: true, workerData: init, execArgv: [] });
    const waiting = new Map<number, { resolve: (r: ResultMessage) => void; reject: (e: Error) => void }>();
    let failure: Error | null = null;
    const fail = (err: Error) => {
      failure = err;
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    };
    worker.on('message', (r: ResultMessage) => {
      const w = waiting.get(r.n);
      waiting.delete(r.n);
      if (r.error !== undefined) w?.reject(new Error(`audit worker: ${r.error}`));
      else w?.resolve(r);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`an audit worker exited (${code})`)));
    return {
      worker,
      post(message: ChunkMessage): Promise<ResultMessage> {
        if (failure) return Promise.reject(failure);
        return new Promise((resolve, reject) => {
          waiting.set(message.n, { resolve, reject });
          worker.postMessage(message, [message.bytes.buffer as ArrayBuffer, message.offsets.buffer as ArrayBuffer]);
        });
      },
    };
  });
  let next = 0;
  return {
    async inspect(entries) {
      const message = packChunk(next, entries);
      const r = await workers[next++ % workers.length]!.post(message);
      return unpackResult(r, entries.length);
    },
    learnKey(kid, x) {
      const message: KeyMessage = { type: 'key', kid, x };
      for (const w of workers) w.worker.postMessage(message);
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}

/** The worker's entry: registers tsx's loader in the worker, then loads this module there. */
function workerBootstrap(): string {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
}

function packChunk(n: number, entries: readonly InspectableEntry[]): ChunkMessage {
  let total = 0;
  for (const e of entries) total += e.canonical.length;
  const bytes = new Uint8Array(total);
  const offsets = new Uint32Array(entries.length + 1);
  const ids: string[] = new Array<string>(entries.length);
  const sigs: Array<string | number> = new Array<string | number>(entries.length);
  const bulks: ChunkMessage['bulks'] = [];
  const bulkIndex = new Map<object, number>();
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    bytes.set(e.canonical, at);
    at += e.canonical.length;
    offsets[i + 1] = at;
    ids[i] = e.id;
    const s = e.signature;
    if (typeof s === 'string') sigs[i] = s;
    else if (typeof s === 'object' && s !== null) {
      let b = bulkIndex.get(s);
      if (b === undefined) {
        b = bulks.length;
        bulks.push({ jws: s.jws, ids: s.ids });
        bulkIndex.set(s, b);
      }
      sigs[i] = b;
    } else sigs[i] = '';
  }
  return { type: 'chunk', n, bytes, offsets, ids, sigs, bulks };
}

const NO_INPUTS: string[] = [];

function unpackResult(r: ResultMessage, count: number): EntryInspection[] {
  const inputs = new Map(r.inputs);
  const data = new Map(r.data);
  const out: EntryInspection[] = new Array<EntryInspection>(count);
  for (let i = 0; i < count; i++) {
    const v = r.verdictOf[i]!;
    const verdict = v < 0 ? null : { ...r.verdicts[v]!, covers: r.covers[i] === 1 };
    const kind = r.kinds[i];
    const event: InspectedEvent | null =
      kind === null || kind === undefined ? null : { kind, org: r.orgs[i]!, subject: r.subjects[i]!, prev: r.prevs[i] ?? null, inputs: inputs.get(i) ?? NO_INPUTS, data: data.get(i) ?? null };
    out[i] = { leaf: r.leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE), id: r.ids[i]!, problems: [], event, verdict };
  }
  for (const [i, check, detail] of r.problems) out[i]!.problems.push({ check, detail });
  return out;
}

/** Inside a worker: inspects chunks in the order they arrive. */
function runInspector(port: NonNullable<typeof parentPort>, init: InitData): void {
  const logKeys = new Map(init.logKeys);
  const orgKeys = new Map<string, string>();
  const bulkCache = new Map<string, { ids: string[]; members: Set<string>; x: string; valid: Promise<boolean> }>();
  const keyFor = (kid: string, event: InspectedEvent) => (event.kind === ORG_KEY_REGISTERED && event.org === init.operatorOrg ? logKeys.get(kid) : orgKeys.get(kid)) ?? null;
  const inspectChunk = async (m: ChunkMessage): Promise<ResultMessage> => {
    const count = m.ids.length;
    const r: ResultMessage = {
      n: m.n,
      leaves: new Uint8Array(count * HASH_SIZE),
      ids: new Array<string>(count),
      problems: [],
      kinds: new Array<string | null>(count).fill(null),
      orgs: new Array<string>(count).fill(''),
      subjects: new Array<string>(count).fill(''),
      prevs: new Array<string | null>(count).fill(null),
      inputs: [],
      data: [],
      verdicts: [],
      verdictOf: new Int32Array(count).fill(-1),
      covers: new Uint8Array(count),
    };
    const verdictIndex = new Map<string, number>();
    const record = (i: number, v: SignatureVerdict | null) => {
      if (!v) return;
      const key = `${v.kid}\n${v.x}\n${v.valid}`;
      let at = verdictIndex.get(key);
      if (at === undefined) {
        at = r.verdicts.length;
        r.verdicts.push({ kid: v.kid, x: v.x, valid: v.valid });
        verdictIndex.set(key, at);
      }
      r.verdictOf[i] = at;
      r.covers[i] = v.covers ? 1 : 0;
    };
    const pending: Array<Promise<void>> = [];
    // A bulk signature is checked once per chunk and signer kind; its entries then only need
    // their membership in its list of ids.
    const bulkVerdicts = new Map<string, Promise<SignatureVerdict | null>>();
    const bulkMembers = new Map<number, Set<string>>();
    const bulkEntries: Array<[number, string, Promise<SignatureVerdict | null>]> = [];
    for (let i = 0; i < count; i++) {
      const inspection = inspectEntryBytes({ id: m.ids[i]!, canonical: m.bytes.subarray(m.offsets[i], m.offsets[i + 1]) });
      r.leaves.set(inspection.leaf, i * HASH_SIZE);
      r.ids[i] = inspection.id;
      for (const p of inspection.problems) r.problems.push([i, p.check, p.detail]);
      const event = inspection.event;
      if (!event) continue;
      r.kinds[i] = event.kind;
      r.orgs[i] = event.org;
      r.subjects[i] = event.subject;
      r.prevs[i] = event.prev;
      if (event.inputs.length > 0) r.inputs.push([i, event.inputs]);
      if (event.data) r.data.push([i, event.data]);
      // Registrations in this chunk count for the signatures after them in it.
      const registered = registeredKeyOf(event);
      if (registered && !orgKeys.has(registered.kid)) orgKeys.set(registered.kid, registered.x);
      const s = m.sigs[i]!;
      if (typeof s === 'number') {
        const signer = event.kind === ORG_KEY_REGISTERED && event.org === init.operatorOrg ? 'log' : 'org';
        const key = `${s}\n${signer}`;
        let verdict = bulkVerdicts.get(key);
        // The verdict of the signature over the whole list; membership is checked below.
        if (!verdict) {
          verdict = inspectSignature(inspection.id, event, m.bulks[s]!, keyFor, bulkCache);
          bulkVerdicts.set(key, verdict);
        }
        if (!bulkMembers.has(s)) bulkMembers.set(s, new Set(m.bulks[s]!.ids));
        bulkEntries.push([i, inspection.id, verdict]);
        continue;
      }
      pending.push(inspectSignature(inspection.id, event, s, keyFor, bulkCache).then((v) => record(i, v)));
    }
    await Promise.all(pending);
    for (const [i, id, verdict] of bulkEntries) {
      const v = await verdict;
      record(i, v && { ...v, covers: bulkMembers.get(m.sigs[i] as number)!.has(id) });
    }
    return r;
  };
  // Chunks are answered in arrival order: a key message between two chunks applies from the second on.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: ChunkMessage | KeyMessage) => {
    if (m.type === 'key') {
      queue = queue.then(() => {
        if (!orgKeys.has(m.kid)) orgKeys.set(m.kid, m.x);
      });
      return;
    }
    queue = queue.then(async () => {
      try {
        const r = await inspectChunk(m);
        port.postMessage(r, [r.leaves.buffer as ArrayBuffer, r.verdictOf.buffer as ArrayBuffer, r.covers.buffer as ArrayBuffer]);
      } catch (err) {
        port.postMessage({ n: m.n, error: (err as Error).message });
      }
    });
  });
}

if (!isMainThread && parentPort && (workerData as InitData | null)?.role === ROLE) runInspector(parentPort, workerData as InitData);
