/**
 * The log auditor: the one place that says a whole log is valid. Fed every entry in sequence
 * order (from a database or from a server's API) and every checkpoint when the rebuilt tree
 * reaches its size, it re-hashes each event from its stored bytes, rebuilds the Merkle tree,
 * follows every `prev` and `inputs` link, checks every signature against the key the log itself
 * registered for the organisation before that entry, and checks every checkpoint's signature and
 * root. It trusts nothing but the log keys it is given. Browser-safe.
 */
import type { JSONWebKeySet, JWK } from 'jose';
import { toHex, utf8Decode } from './bytes.ts';
import { peekCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import { envelopeProblem, ORG_KEY_REGISTERED, type LedgerEvent } from './event.ts';
import { HASH_SIZE, leafHash } from './hash.ts';
import { isCanonicalJson } from './jcs.ts';
import { TILE_WIDTH, TiledTree, type TileWrite } from './tiles.ts';
import { ed25519Thumbprint, signatureKid, verifyBulkSignature, verifyEventSignature, type EventSignature } from './signatures.ts';

export type AuditCheck =
  | 'sequence'
  | 'event-hash'
  | 'canonical-form'
  | 'envelope'
  | 'duplicate'
  | 'chain'
  | 'inputs'
  | 'signature'
  | 'org-key'
  | 'checkpoint-signature'
  | 'checkpoint-root';

export interface AuditorIssue {
  /** The entry where the data disagrees (for a checkpoint: its last entry, treeSize - 1). */
  seq: number | null;
  id?: string | null;
  check: AuditCheck;
  detail: string;
}

export interface AuditorEntry {
  seq: number;
  /** The id the store says the entry has. */
  id: string;
  /** The stored bytes: the event's RFC 8785 form. */
  canonical: Uint8Array;
  signature: EventSignature;
}

export interface RegisteredKey {
  org: string;
  jwk: JWK;
  /** The entry that registered it. */
  seq: number;
}

/** The checks an entry's bytes alone decide (no other entry needed). */
export type EntryProblemCheck = 'event-hash' | 'canonical-form' | 'envelope';

/** The envelope fields the sequential checks need (chains, inputs, key registrations, signer). */
export interface InspectedEvent {
  kind: string;
  org: string;
  subject: string;
  prev: string | null;
  inputs: string[];
  /** Only for a key registration (`org.key.registered`): its data, read by the sequential part. */
  data: Record<string, unknown> | null;
}

/**
 * A signature checked out of log order, against the key with Ed25519 public value `x` that the
 * inspector knew for `kid`. The sequential part uses it only if `x` is the key the log had
 * registered for the signer at this entry's position; otherwise it checks the signature itself.
 */
export interface SignatureVerdict {
  kid: string;
  x: string;
  /** Single: the JWS verifies over the id. Bulk: the JWS verifies over its list of ids. */
  valid: boolean;
  /** Bulk only: the list of ids contains this entry's id (true for a single signature). */
  covers: boolean;
}

/**
 * What an entry's stored bytes (and its signature, given a key) say on their own: the part of the
 * audit that needs no other entry, so it can run anywhere (another thread, another machine), in
 * any order. Plain data: survives structured cloning.
 */
export interface EntryInspection {
  /** RFC 6962 leaf hash of the stored bytes. */
  leaf: Uint8Array;
  /** Its hex: the id the bytes have. */
  id: string;
  problems: Array<{ check: EntryProblemCheck; detail: string }>;
  /** Null when the bytes are not a valid envelope (then `problems` says why). */
  event: InspectedEvent | null;
  /** Null when the signature was not checked here (unknown kid, malformed header). */
  verdict: SignatureVerdict | null;
}

/**
 * The order-free checks of one entry: leaf hash, stored id, JSON parse, RFC 8785 form, envelope.
 * Synchronous, no signature check (see `inspectSignature`).
 */
export function inspectEntryBytes(entry: Pick<AuditorEntry, 'id' | 'canonical'>): EntryInspection {
  const leaf = leafHash(entry.canonical);
  const id = toHex(leaf);
  const problems: EntryInspection['problems'] = [];
  if (id !== entry.id) problems.push({ check: 'event-hash', detail: `the stored bytes hash to ${id}, not to the stored id ${entry.id}: the event was changed after it was logged` });
  let event: InspectedEvent | null = null;
  try {
    const text = utf8Decode(entry.canonical);
    const parsed: unknown = JSON.parse(text);
    if (!isCanonicalJson(text, parsed)) problems.push({ check: 'canonical-form', detail: 'the stored bytes are JSON but not in RFC 8785 canonical form' });
    const problem = envelopeProblem(parsed);
    if (problem) problems.push({ check: 'envelope', detail: problem });
    else {
      const e = parsed as LedgerEvent;
      event = { kind: e.kind, org: e.org, subject: e.subject, prev: e.prev, inputs: e.inputs, data: e.kind === ORG_KEY_REGISTERED ? e.data : null };
    }
  } catch (err) {
    problems.push({ check: 'canonical-form', detail: `the stored bytes are not canonical JSON: ${(err as Error).message}` });
  }
  return { leaf, id, problems, event, verdict: null };
}

/**
 * The Ed25519 public value (`x`) a registration binds to its kid, or null when the registration
 * is malformed. Whether the registration counts (signed by the log, first for that kid) is the
 * sequential part's decision; a kid is the key's RFC 7638 thumbprint, so it names one key only.
 */
export function registeredKeyOf(event: InspectedEvent): { kid: string; x: string; org: string } | null {
  if (event.kind !== ORG_KEY_REGISTERED || !event.data) return null;
  const data = event.data as { org?: unknown; kid?: unknown; jwk?: { kty?: unknown; crv?: unknown; x?: unknown } };
  const jwk = data.jwk;
  if (typeof data.org !== 'string' || typeof data.kid !== 'string' || typeof jwk !== 'object' || jwk === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') return null;
  if (ed25519Thumbprint({ x: jwk.x }) !== data.kid) return null;
  return { kid: data.kid, x: jwk.x, org: data.org };
}

/**
 * Checks an entry's signature with the key `keyFor(kid, event)` returns (null: not checked here).
 * Bulk verdicts are cached in `bulkCache` (one verification per bulk signature).
 */
export async function inspectSignature(
  id: string,
  event: InspectedEvent,
  signature: EventSignature,
  keyFor: (kid: string, event: InspectedEvent) => string | null,
  bulkCache: Map<string, { ids: string[]; members: Set<string>; x: string; valid: Promise<boolean> }>,
): Promise<SignatureVerdict | null> {
  const jws = typeof signature === 'string' ? signature : signature?.jws;
  let kid: string;
  try {
    kid = signatureKid(jws);
  } catch {
    return null;
  }
  const x = keyFor(kid, event);
  if (x === null) return null;
  const key: JWK = { kty: 'OKP', crv: 'Ed25519', x };
  if (typeof signature === 'string') {
    const valid = await verifyEventSignature(id, signature, key).then(
      () => true,
      () => false,
    );
    return { kid, x, valid, covers: true };
  }
  let cached = bulkCache.get(signature.jws);
  if (!cached || cached.x !== x || !(cached.ids === signature.ids || sameIds(cached.ids, signature.ids))) {
    cached = {
      ids: signature.ids,
      members: new Set(signature.ids),
      x,
      valid: verifyBulkSignature(signature, key).then(
        () => true,
        () => false,
      ),
    };
    if (bulkCache.size >= 16) bulkCache.clear();
    bulkCache.set(signature.jws, cached);
  }
  return { kid, x, valid: await cached.valid, covers: cached.members.has(id) };
}

/** Leaves are hashed into the tree in chunks: appending them one by one would copy a tile each time. */
const LEAF_CHUNK = 4096;
/** Signature checks run concurrently (WebCrypto works off the main thread); at most this many at once. */
const MAX_IN_FLIGHT = 256;

export class LogAuditor {
  readonly issues: AuditorIssue[] = [];
  /** Issues found, including those beyond `maxIssues` that were not kept. */
  issueCount = 0;

  readonly #logKeys: JSONWebKeySet;
  readonly #operatorOrg: string;
  readonly #origin: string | undefined;
  readonly #maxIssues: number;
  readonly #tree = TiledTree.empty();
  #pendingLeaves: Uint8Array[] = [];
  #completed: TileWrite[] = [];
  #entries = 0;
  readonly #seen = new Set<string>();
  readonly #heads = new Map<string, string>();
  readonly #keys = new Map<string, RegisteredKey>();
  #inFlight: Array<Promise<void>> = [];
  #lastJws: string | undefined;
  #lastKid = '';
  #bulk = new Map<string, { ids: string[]; members: Set<string>; verdict: Promise<string | null> }>();

  constructor(options: { logKeys: JSONWebKeySet; operatorOrg: string; origin?: string | undefined; maxIssues?: number }) {
    this.#logKeys = options.logKeys;
    this.#operatorOrg = options.operatorOrg;
    this.#origin = options.origin;
    this.#maxIssues = options.maxIssues ?? 100;
  }

  /** Entries fed so far: the size of the rebuilt tree. */
  get size(): number {
    return this.#entries;
  }

  /** Checks one entry and adds it to the tree. Entries must come in the order the store holds them. */
  async addEntry(entry: AuditorEntry): Promise<void> {
    await this.addInspected(entry, inspectEntryBytes(entry));
  }

  /**
   * The sequential part of `addEntry`, given what `inspectEntryBytes` (and, optionally,
   * `inspectSignature`) found for this entry, wherever they ran: sequence, duplicates, chains,
   * inputs, key registrations in log order, the signer's key at this position, the tree.
   * Entries must come in the order the store holds them; the result is the same as `addEntry`'s.
   */
  async addInspected(entry: AuditorEntry, inspection: EntryInspection): Promise<void> {
    const seq = this.#entries;
    if (entry.seq !== seq) {
      this.#issue(seq, entry.id, 'sequence', entry.seq > seq ? `entry ${seq} is missing: the next stored entry is ${entry.seq}` : `entry ${entry.seq} appears again at position ${seq}`);
    }
    const { id, event } = inspection;
    for (const p of inspection.problems) this.#issue(seq, p.check === 'event-hash' ? entry.id : id, p.check, p.detail);
    this.#pendingLeaves.push(inspection.leaf);
    this.#entries++;
    if (this.#pendingLeaves.length >= LEAF_CHUNK) this.#flushLeaves();

    if (this.#seen.has(id)) this.#issue(seq, id, 'duplicate', `event ${id} is already in the log`);
    this.#seen.add(id);
    if (!event) return;

    const head = this.#heads.get(event.subject) ?? null;
    if (event.prev !== head) {
      this.#issue(
        seq,
        id,
        'chain',
        head === null
          ? `prev is ${event.prev}, but this is the first event of ${event.subject} in the log`
          : `prev is ${event.prev ?? 'null'}, but the head of ${event.subject} is ${head}: the chain is broken or reordered`,
      );
    }
    this.#heads.set(event.subject, id);
    if (event.inputs.length > 0) {
      const missing = event.inputs.filter((i) => !this.#seen.has(i) || i === id);
      if (missing.length > 0) this.#issue(seq, id, 'inputs', `input ${missing.join(', ')} is not earlier in the log`);
    }

    if (event.kind === ORG_KEY_REGISTERED && event.org === this.#operatorOrg) this.#register(seq, id, event);
    await this.#checkSignature(seq, id, event, entry.signature, inspection.verdict);
  }

  /** Checks a checkpoint's signature and, when the tree has exactly its size, its root. */
  async checkCheckpoint(jws: string): Promise<void> {
    // Entry issues first: an entry's signature check may still be running, and what an entry
    // got wrong must be reported before the checkpoint that covers it (deterministic order).
    await this.finish();
    let claimed: number | null = null;
    try {
      claimed = peekCheckpoint(jws).treeSize;
    } catch {
      // reported below by verifyCheckpoint
    }
    const at = claimed === null ? null : Math.max(0, claimed - 1);
    let checkpoint;
    try {
      checkpoint = await verifyCheckpoint(jws, this.#logKeys, this.#origin === undefined ? {} : { expectedOrigin: this.#origin });
    } catch (err) {
      this.#issue(at, null, 'checkpoint-signature', `checkpoint of tree size ${claimed ?? '?'}: ${(err as Error).message}`);
      return;
    }
    if (checkpoint.treeSize !== this.#entries) {
      this.#issue(at, null, 'checkpoint-root', `a checkpoint of tree size ${checkpoint.treeSize} was offered when the rebuilt tree has ${this.#entries} entries`);
      return;
    }
    const root = toHex(this.root());
    if (root !== checkpoint.rootHash) {
      this.#issue(at, null, 'checkpoint-root', `the signed checkpoint of tree size ${checkpoint.treeSize} has root ${checkpoint.rootHash}; the tree rebuilt from the stored events has ${root}`);
    }
  }

  /** The root of the tree rebuilt so far. */
  root(): Uint8Array {
    this.#flushLeaves();
    return this.#tree.root();
  }

  /** Full tiles (256 hashes) completed since the last call: to compare with stored subtree hashes. */
  drainCompletedTiles(): TileWrite[] {
    this.#flushLeaves();
    const out = this.#completed;
    this.#completed = [];
    return out;
  }

  /** The right-edge partial tiles of the rebuilt tree. */
  currentTiles(): TileWrite[] {
    this.#flushLeaves();
    return this.#tree.partialTiles();
  }

  /** The organisation keys the log registered, by kid. */
  keysByKid(): Map<string, RegisteredKey> {
    return new Map(this.#keys);
  }

  /** Waits for every pending signature check. Call before reading `issues` at the end. */
  async finish(): Promise<void> {
    await Promise.all(this.#inFlight);
    this.#inFlight = [];
  }

  #flushLeaves(): void {
    if (this.#pendingLeaves.length === 0) return;
    for (const write of this.#tree.append(this.#pendingLeaves)) {
      if (write.hashes.length === TILE_WIDTH * HASH_SIZE) this.#completed.push(write);
    }
    this.#pendingLeaves = [];
  }

  #register(seq: number, id: string, event: InspectedEvent): void {
    const data = (event.data ?? {}) as { org?: unknown; kid?: unknown; jwk?: { kty?: unknown; crv?: unknown; x?: unknown } };
    const jwk = data.jwk;
    if (typeof data.org !== 'string' || typeof data.kid !== 'string' || typeof jwk !== 'object' || jwk === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
      this.#issue(seq, id, 'org-key', 'the key registration does not carry {org, kid, jwk} with an Ed25519 public key');
      return;
    }
    const kid = ed25519Thumbprint({ x: jwk.x });
    if (kid !== data.kid) {
      this.#issue(seq, id, 'org-key', `the registered kid ${data.kid} is not the thumbprint ${kid} of the registered key`);
      return;
    }
    const earlier = this.#keys.get(kid);
    if (earlier && earlier.org !== data.org) {
      this.#issue(seq, id, 'org-key', `key ${kid} was registered to ${earlier.org} at entry ${earlier.seq}; it cannot also belong to ${data.org}`);
      return;
    }
    if (!earlier) this.#keys.set(kid, { org: data.org, jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, seq });
  }

  async #checkSignature(seq: number, id: string, event: InspectedEvent, signature: EventSignature, verdict: SignatureVerdict | null): Promise<void> {
    const jws = typeof signature === 'string' ? signature : signature?.jws;
    let kid: string;
    try {
      // A bulk signature is shared by up to 1000 consecutive entries: parse its header once.
      kid = verdict ? verdict.kid : jws === this.#lastJws ? this.#lastKid : signatureKid(jws);
      this.#lastJws = jws;
      this.#lastKid = kid;
    } catch (err) {
      this.#issue(seq, id, 'signature', (err as Error).message);
      return;
    }
    let key: JWK | undefined;
    let signer: string;
    if (event.kind === ORG_KEY_REGISTERED && event.org === this.#operatorOrg) {
      key = this.#logKeys.keys.find((k) => k.kid === kid);
      signer = 'the log';
      if (!key) {
        this.#issue(seq, id, 'signature', `the key registration is signed with ${kid}, which is not a log key`);
        return;
      }
    } else {
      const registered = this.#keys.get(kid);
      signer = event.org;
      if (!registered) {
        this.#issue(seq, id, 'signature', `signed with key ${kid}, which the log had not registered for anyone before this entry`);
        return;
      }
      if (registered.org !== event.org) {
        this.#issue(seq, id, 'signature', `signed with key ${kid} of ${registered.org}, but the event is in the name of ${event.org}`);
        return;
      }
      key = registered.jwk;
    }
    if (verdict && verdict.kid === kid && verdict.x === key.x) {
      // Checked off the log's order with exactly the key the log had registered here.
      const failed =
        typeof signature === 'string'
          ? verdict.valid
            ? null
            : `the signature does not verify over event id ${id} with ${signer}'s key ${kid}`
          : !verdict.valid
            ? `the bulk signature over ${signature.ids.length} event ids does not verify with key ${kid}`
            : verdict.covers
              ? null
              : `the bulk signature does not cover event ${id}`;
      if (failed) this.#issue(seq, id, 'signature', failed);
      return;
    }
    const check =
      typeof signature === 'string'
        ? verifyEventSignature(id, signature, key).then(
            () => null,
            () => `the signature does not verify over event id ${id} with ${signer}'s key ${kid}`,
          )
        : this.#bulkVerdict(signature, key, kid).then((failed) => failed ?? (this.#bulkCovers(signature, id) ? null : `the bulk signature does not cover event ${id}`));
    const done = check.then((failed) => {
      if (failed) this.#issue(seq, id, 'signature', failed);
    });
    this.#inFlight.push(done);
    if (this.#inFlight.length >= MAX_IN_FLIGHT) await this.finish();
  }

  #bulkVerdict(signature: { jws: string; ids: string[] }, key: JWK, kid: string): Promise<string | null> {
    const cached = this.#bulk.get(signature.jws);
    if (cached && (cached.ids === signature.ids || sameIds(cached.ids, signature.ids))) return cached.verdict;
    const verdict = verifyBulkSignature(signature, key).then(
      () => null,
      () => `the bulk signature over ${signature.ids.length} event ids does not verify with key ${kid}`,
    );
    if (this.#bulk.size >= 16) this.#bulk.clear();
    this.#bulk.set(signature.jws, { ids: signature.ids, members: new Set(signature.ids), verdict });
    return verdict;
  }

  #bulkCovers(signature: { jws: string; ids: string[] }, id: string): boolean {
    return this.#bulk.get(signature.jws)?.members.has(id) ?? signature.ids.includes(id);
  }

  #issue(seq: number | null, id: string | null, check: AuditCheck, detail: string): void {
    this.issueCount++;
    if (this.issues.length < this.#maxIssues) this.issues.push({ seq, id, check, detail });
    else {
      // Keep the earliest issues: replace the latest kept one if this one comes before it.
      let latest = 0;
      for (let i = 1; i < this.issues.length; i++) if ((this.issues[i]!.seq ?? Infinity) > (this.issues[latest]!.seq ?? Infinity)) latest = i;
      if ((seq ?? Infinity) < (this.issues[latest]!.seq ?? Infinity)) this.issues[latest] = { seq, id, check, detail };
    }
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
