// Identity's behaviour, independent of HTTP: the app (app.ts) and the in-process signer both call
// this. Every refusal is an AppError; secrets (passwords, client secrets, private keys, hashes)
// never reach a return value, an error message or the logger.
import { randomBytes } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { z } from 'zod';
import { AUDIENCES, createTokenVerifier, type EventSigner, type Principal, type TokenVerifier } from '@milkchain/auth';
import { toProblems } from '@milkchain/domain';
import { AppError, validationFailed, type Logger } from '@milkchain/http';
import { ed25519Thumbprint, generateOrgKey, signEventId } from '@milkchain/ledger';
import type { PrismaClient } from '@milkchain/store';
import type { LedgerKeyRegistrar } from './registrar.ts';
import {
  ORG_ROLES,
  createClientSchema,
  createOrgSchema,
  createUserSchema,
  keysRequestSchema,
  patchOrgSchema,
  signRequestSchema,
  tokenRequestSchema,
  type Accreditation,
  type Licence,
} from './schemas.ts';
import { burnSecretCheck, hashSecret, openPrivateJwk, sealPrivateJwk, verifySecret } from './secrets.ts';
import { TokenIssuer, type IssuedToken, type TokenKey } from './tokens.ts';

export interface IdentityServiceDeps {
  prisma: PrismaClient;
  /** AES-256 key-encryption key for organisations' private signing keys. */
  keyEncryptionKey: Buffer;
  tokenKey: TokenKey;
  registrar: LedgerKeyRegistrar;
  logger: Logger;
  /** The platform operator's organisation: its admins administer every organisation. */
  operatorOrg?: string;
  /** Access-token lifetime; default 900 s (15 minutes). */
  tokenTtlSec?: number;
  clock?: () => Date;
}

/** What anyone may read about an organisation: its public profile, no personal data. */
export interface PublicOrg {
  id: string;
  roles: string[];
  name: { 'zh-CN': string; en: string };
  region: { name: string; code: string };
  gln: string | null;
  uscc: string | null;
  licences: Licence[];
  /** Laboratories' accreditations (CMA 资质认定, CNAS). */
  accreditations: Accreditation[];
  status: 'active' | 'suspended';
  signing: 'custodial' | 'self';
}

export interface PublicOrgKey {
  kid: string;
  jwk: JWK;
  origin: 'custodial' | 'self';
  active: boolean;
  createdAt: string;
}

const ALL_AUDIENCES = AUDIENCES.map((a) => `milkchain:${a}`);
const INVALID_LOGIN = '用户名或密码错误 / the user name or password is wrong';
const INVALID_CLIENT = '客户端凭据错误 / the client id or secret is wrong';

/** Parses `body` with `schema`, or a 400 naming every field at fault. */
export function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw validationFailed(toProblems(result.error.issues));
  return result.data;
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === 'P2002';

/**
 * Runs a database write whose arguments hold secrets. Prisma's errors can quote the arguments of
 * the call; only the error code goes on, so a hash or a sealed key cannot reach a log line.
 */
async function scrubbed<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw err;
    const code = (err as { code?: unknown } | null)?.code;
    // eslint-disable-next-line preserve-caught-error -- the cause may quote the secrets; it must not travel on
    throw new Error(`${what} failed${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

type OrgRow = {
  id: string;
  roles: string[];
  nameZh: string;
  nameEn: string;
  regionName: string;
  regionCode: string;
  gln: string | null;
  uscc: string | null;
  licences: unknown;
  accreditations: unknown;
  status: string;
  signing: string;
};

function publicOrg(row: OrgRow): PublicOrg {
  return {
    id: row.id,
    roles: row.roles,
    name: { 'zh-CN': row.nameZh, en: row.nameEn },
    region: { name: row.regionName, code: row.regionCode },
    gln: row.gln,
    uscc: row.uscc,
    licences: row.licences as Licence[],
    accreditations: row.accreditations as Accreditation[],
    status: row.status as PublicOrg['status'],
    signing: row.signing as PublicOrg['signing'],
  };
}

/** How long signing uses what it read about an organisation (see IdentityService.signingCache). */
export const SIGNING_TTL_MS = 1_000;

const newId = (prefix: string) => `${prefix}_${randomBytes(10).toString('hex')}`;

export class IdentityService {
  readonly operatorOrg: string;
  readonly tokens: TokenIssuer;
  /** Verifies tokens meant for identity's own endpoints. */
  readonly verifier: TokenVerifier;
  /** Verifies tokens forwarded by any milkchain service (event signing). */
  readonly forwardedVerifier: TokenVerifier;
  /** Signs event ids in-process, with exactly the checks of POST /orgs/{org}/signatures. */
  readonly signer: EventSigner;
  private readonly prisma: PrismaClient;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  /**
   * What signing for an organisation needs (its status, how it signs, its opened custodial key),
   * kept for SIGNING_TTL_MS: every write reads it, and reading two rows and opening the key each
   * time cost more than the signing. A change made here (status, key) drops the entry at once;
   * one made by another identity instance is seen within SIGNING_TTL_MS.
   */
  private readonly signingCache = new Map<string, { until: number; org: { id: string; status: string; signing: string }; key?: { kid: string; privateJwk: JWK } }>();

  constructor(private readonly deps: IdentityServiceDeps) {
    this.prisma = deps.prisma;
    this.logger = deps.logger;
    this.clock = deps.clock ?? (() => new Date());
    this.operatorOrg = deps.operatorOrg ?? 'org_milkchain';
    this.tokens = new TokenIssuer(deps.tokenKey, { ttlSec: deps.tokenTtlSec ?? 900, clock: this.clock });
    this.verifier = createTokenVerifier({ jwks: this.tokens.jwks, audience: 'milkchain:identity' });
    this.forwardedVerifier = createTokenVerifier({ jwks: this.tokens.jwks, audience: ALL_AUDIENCES });
    this.signer = { sign: (req) => this.sign(req) };
  }

  get jwks(): JSONWebKeySet {
    return this.tokens.jwks;
  }

  // ---- who may do what ----------------------------------------------------------------------

  isPlatformAdmin(p: Principal): boolean {
    return p.org === this.operatorOrg && p.roles.includes('admin');
  }

  /** The platform's admins, or an admin user of `org` itself. */
  private requireAdminOf(p: Principal, org: string): void {
    if (this.isPlatformAdmin(p)) return;
    if (p.org === org && p.roles.includes('admin')) return;
    throw new AppError('FORBIDDEN', `只有平台管理员或 ${org} 的管理员可以这样做 / only platform admins or admins of ${org} may do this`);
  }

  private requirePlatformAdmin(p: Principal): void {
    if (!this.isPlatformAdmin(p)) throw new AppError('FORBIDDEN', '只有平台管理员可以这样做 / only platform admins may do this');
  }

  private async orgRow(id: string) {
    const row = await this.prisma.identityOrg.findUnique({ where: { id } });
    if (!row) throw new AppError('NOT_FOUND', `没有这个组织 / no organisation ${id}`);
    return row;
  }

  // ---- organisations ------------------------------------------------------------------------

  async createOrg(actor: Principal, body: unknown): Promise<PublicOrg & { keys: PublicOrgKey[] }> {
    this.requirePlatformAdmin(actor);
    const input = parse(createOrgSchema, body);
    const created = await this.insertOrg({ ...input, id: input.id ?? newId('org') });
    this.logger.info('organisation created', { org: created.id, kid: created.keys[0]?.kid, by: actor.sub });
    return created;
  }

  /**
   * Creates the organisation with a fresh custodial key, registered with the ledger first: if the
   * ledger cannot be reached nothing is stored (503), and a retry registers the same way.
   */
  private async insertOrg(input: {
    id: string;
    roles: string[];
    name: { 'zh-CN': string; en: string };
    region: { name: string; code: string };
    gln?: string | undefined;
    uscc?: string | undefined;
    licences?: Licence[] | undefined;
    accreditations?: Accreditation[] | undefined;
  }): Promise<PublicOrg & { keys: PublicOrgKey[] }> {
    if (await this.prisma.identityOrg.findUnique({ where: { id: input.id }, select: { id: true } })) {
      throw new AppError('CONFLICT', `组织 ${input.id} 已存在 / organisation ${input.id} already exists`, { pointer: '/id' });
    }
    if (input.uscc && (await this.prisma.identityOrg.findUnique({ where: { uscc: input.uscc }, select: { id: true } }))) {
      throw new AppError('CONFLICT', `统一社会信用代码已被登记 / this 统一社会信用代码 is already registered to another organisation`, { pointer: '/uscc' });
    }
    const key = await generateOrgKey();
    await this.register(input.id, key.publicJwk);
    const sealed = sealPrivateJwk(key.privateJwk, this.deps.keyEncryptionKey, input.id, key.kid);
    try {
      const row = await scrubbed('storing the organisation', () =>
        this.prisma.identityOrg.create({
          data: {
            id: input.id,
            roles: input.roles,
            nameZh: input.name['zh-CN'],
            nameEn: input.name.en,
            regionName: input.region.name,
            regionCode: input.region.code,
            gln: input.gln ?? null,
            uscc: input.uscc ?? null,
            licences: input.licences ?? [],
            accreditations: input.accreditations ?? [],
            keys: { create: { kid: key.kid, publicJwk: key.publicJwk, privateSealed: new Uint8Array(sealed), origin: 'custodial' } },
          },
          include: { keys: true },
        }),
      );
      return { ...publicOrg(row), keys: row.keys.map(publicKey) };
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', `组织 ${input.id} 或其统一社会信用代码已存在 / organisation ${input.id} or its 统一社会信用代码 already exists`);
      throw err;
    }
  }

  private async register(org: string, publicJwk: JWK): Promise<void> {
    try {
      await this.deps.registrar.register(org, publicJwk);
    } catch (err) {
      this.logger.warn('ledger key registration failed', { org, error: (err as Error).message });
      throw new AppError('UNAVAILABLE', `无法向账本登记组织密钥，未做任何更改，请稍后重试 / could not register the organisation key with the ledger; nothing was changed, try again`);
    }
  }

  async getOrg(id: string): Promise<PublicOrg> {
    return publicOrg(await this.orgRow(id));
  }

  async listOrgs(options: { role?: string } = {}): Promise<PublicOrg[]> {
    const rows = await this.prisma.identityOrg.findMany({ where: options.role ? { roles: { has: options.role } } : {}, orderBy: { id: 'asc' }, take: 1000 });
    return rows.map(publicOrg);
  }

  async patchOrg(actor: Principal, id: string, body: unknown): Promise<PublicOrg> {
    this.requirePlatformAdmin(actor);
    const patch = parse(patchOrgSchema, body);
    await this.orgRow(id);
    if (id === this.operatorOrg && patch.status === 'suspended') {
      throw new AppError('CONFLICT', '不能停用平台运营方 / the operator organisation cannot be suspended', { pointer: '/status' });
    }
    try {
      const row = await this.prisma.identityOrg.update({
        where: { id },
        data: {
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.name !== undefined ? { nameZh: patch.name['zh-CN'], nameEn: patch.name.en } : {}),
          ...(patch.region !== undefined ? { regionName: patch.region.name, regionCode: patch.region.code } : {}),
          ...(patch.gln !== undefined ? { gln: patch.gln } : {}),
          ...(patch.uscc !== undefined ? { uscc: patch.uscc } : {}),
          ...(patch.licences !== undefined ? { licences: patch.licences } : {}),
          ...(patch.accreditations !== undefined ? { accreditations: patch.accreditations } : {}),
        },
      });
      this.signingCache.delete(id);
      this.logger.info('organisation changed', { org: id, fields: Object.keys(patch), by: actor.sub });
      return publicOrg(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', '统一社会信用代码已被登记 / this 统一社会信用代码 is already registered to another organisation', { pointer: '/uscc' });
      throw err;
    }
  }

  // ---- users and API clients ----------------------------------------------------------------

  /** Roles a member of `org` may hold: the organisation's roles, and admin (of that organisation). */
  private checkRoles(org: { id: string; roles: string[] }, roles: string[], pointer: string): string[] {
    const allowed = new Set([...org.roles, 'admin']);
    const problems = roles.flatMap((r, i) =>
      allowed.has(r) ? [] : [{ path: `${pointer}/${i}`, message: `${pointer.slice(1)}[${i}] must be one of the organisation's roles (${[...allowed].join(', ')}), not ${JSON.stringify(r)}` }],
    );
    if (problems.length > 0) throw validationFailed(problems);
    return [...new Set(roles)];
  }

  async createUser(actor: Principal, orgId: string, body: unknown): Promise<{ id: string; org: string; username: string; displayName: string; roles: string[] }> {
    this.requireAdminOf(actor, orgId);
    const input = parse(createUserSchema, body);
    const org = await this.orgRow(orgId);
    const roles = this.checkRoles(org, input.roles, '/roles');
    const passwordHash = await hashSecret(input.password);
    try {
      const user = await scrubbed('storing the user', () =>
        this.prisma.identityUser.create({
          data: { id: newId('usr'), org: orgId, username: input.username, passwordHash, displayName: input.displayName, phone: input.phone ?? null, roles },
          select: { id: true, org: true, username: true, displayName: true, roles: true },
        }),
      );
      this.logger.info('user created', { org: orgId, user: user.id, by: actor.sub });
      return user;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', `用户名 ${input.username} 已被使用 / the user name ${input.username} is taken`, { pointer: '/username' });
      throw err;
    }
  }

  async createClient(actor: Principal, orgId: string, body: unknown): Promise<{ client_id: string; client_secret: string; org: string; name: string; roles: string[] }> {
    this.requireAdminOf(actor, orgId);
    const input = parse(createClientSchema, body);
    const org = await this.orgRow(orgId);
    const roles = input.roles ? this.checkRoles(org, input.roles, '/roles') : org.roles;
    const id = newId('cli');
    const secret = randomBytes(32).toString('base64url');
    const secretHash = await hashSecret(secret);
    await scrubbed('storing the client', () => this.prisma.identityClient.create({ data: { id, org: orgId, name: input.name, secretHash, roles } }));
    this.logger.info('api client created', { org: orgId, client: id, by: actor.sub });
    return { client_id: id, client_secret: secret, org: orgId, name: input.name, roles };
  }

  // ---- tokens -------------------------------------------------------------------------------

  private audiences(raw: string | string[] | undefined): string[] {
    if (raw === undefined) return ALL_AUDIENCES;
    const names = (Array.isArray(raw) ? raw : raw.split(/\s+/)).filter(Boolean);
    const out = names.map((n) => (n.startsWith('milkchain:') ? n : `milkchain:${n}`));
    const bad = out.filter((a) => !ALL_AUDIENCES.includes(a));
    if (out.length === 0 || bad.length > 0) {
      throw validationFailed([{ path: '/audience', message: `audience must name milkchain services (${AUDIENCES.join(', ')}), not ${bad.join(', ') || 'nothing'}` }]);
    }
    return [...new Set(out)];
  }

  /** OAuth 2.0 token endpoint: password and client credentials grants. */
  async token(body: unknown): Promise<IssuedToken> {
    const req = parse(tokenRequestSchema, body);
    const aud = this.audiences(req.audience);
    if (req.grant_type === 'password') {
      const user = await this.prisma.identityUser.findUnique({ where: { username: req.username }, include: { organisation: true } });
      const ok = user ? await verifySecret(req.password, user.passwordHash) : await burnSecretCheck(req.password);
      if (!user || !ok) {
        this.logger.info('login refused', { grant: 'password' });
        throw new AppError('UNAUTHENTICATED', INVALID_LOGIN, { error: 'invalid_grant' });
      }
      this.requireActive(user.organisation);
      const roles = user.roles.filter((r) => r === 'admin' || user.organisation.roles.includes(r));
      this.logger.info('token issued', { sub: user.id, org: user.org, grant: 'password' });
      return this.tokens.issue({ sub: user.id, org: user.org, roles, aud });
    }
    const client = await this.prisma.identityClient.findUnique({ where: { id: req.client_id }, include: { organisation: true } });
    const ok = client ? await verifySecret(req.client_secret, client.secretHash) : await burnSecretCheck(req.client_secret);
    if (!client || !ok) {
      this.logger.info('login refused', { grant: 'client_credentials' });
      throw new AppError('UNAUTHENTICATED', INVALID_CLIENT, { error: 'invalid_client' });
    }
    this.requireActive(client.organisation);
    const roles = client.roles.filter((r) => r === 'admin' || client.organisation.roles.includes(r));
    this.logger.info('token issued', { sub: client.id, org: client.org, grant: 'client_credentials' });
    return this.tokens.issue({ sub: client.id, org: client.org, roles, aud });
  }

  /** Only called once the credentials were right: saying "suspended" then tells nobody anything new. */
  private requireActive(org: { id: string; status: string }): void {
    if (org.status !== 'active') {
      throw new AppError('UNAUTHENTICATED', `组织 ${org.id} 已被停用 / organisation ${org.id} is suspended`, { error: 'invalid_grant' });
    }
  }

  // ---- organisation signing keys --------------------------------------------------------------

  async listKeys(orgId: string): Promise<PublicOrgKey[]> {
    await this.orgRow(orgId);
    const keys = await this.prisma.identityOrgKey.findMany({ where: { org: orgId }, orderBy: { createdAt: 'asc' } });
    return keys.map(publicKey);
  }

  /**
   * `{rotate: true}`: a new custodial key replaces the active one(s). `{jwk}`: the organisation's
   * own public key; identity stops signing for it (signing 'self'). Either way the new key is
   * registered with the ledger first; older keys stay registered there, so what they signed
   * still verifies.
   */
  async changeKeys(actor: Principal, orgId: string, body: unknown): Promise<{ org: PublicOrg; key: PublicOrgKey }> {
    this.requireAdminOf(actor, orgId);
    const input = parse(keysRequestSchema, body);
    await this.orgRow(orgId);
    let kid: string;
    let publicJwk: JWK;
    let sealed: Uint8Array<ArrayBuffer> | null = null;
    let origin: 'custodial' | 'self';
    if ('rotate' in input) {
      const key = await generateOrgKey();
      ({ kid, publicJwk } = key);
      sealed = new Uint8Array(sealPrivateJwk(key.privateJwk, this.deps.keyEncryptionKey, orgId, key.kid));
      origin = 'custodial';
    } else {
      publicJwk = { kty: 'OKP', crv: 'Ed25519', x: input.jwk.x };
      kid = ed25519Thumbprint(input.jwk);
      origin = 'self';
      const existing = await this.prisma.identityOrgKey.findUnique({ where: { kid } });
      if (existing) throw new AppError('CONFLICT', '这个密钥已经登记过 / this key is already registered', { kid });
    }
    await this.register(orgId, publicJwk);
    const now = this.clock();
    const [, key, org] = await scrubbed('storing the key', () =>
      this.prisma.$transaction([
        this.prisma.identityOrgKey.updateMany({ where: { org: orgId, active: true }, data: { active: false, retiredAt: now } }),
        this.prisma.identityOrgKey.create({ data: { kid, org: orgId, publicJwk, privateSealed: sealed, origin } }),
        this.prisma.identityOrg.update({ where: { id: orgId }, data: { signing: origin } }),
      ]),
    );
    this.signingCache.delete(orgId);
    this.logger.info('organisation key changed', { org: orgId, kid, origin, by: actor.sub });
    return { org: publicOrg(org), key: publicKey(key) };
  }

  /**
   * Signs event ids with the organisation's custodial key. The token (forwarded by a service, or
   * the caller's own) must belong to `org`; the organisation must be active and must not sign for
   * itself.
   */
  async sign(req: { token: string; org: string; ids: unknown }): Promise<string[]> {
    return this.signFor(await this.forwardedVerifier.verify(req.token), req.org, req.ids);
  }

  /** `sign` for a principal whose token was already verified. */
  async signFor(principal: Principal, orgId: string, rawIds: unknown): Promise<string[]> {
    const req = { org: orgId, ids: rawIds };
    if (principal.org !== req.org) {
      throw new AppError('FORBIDDEN', `只能为自己的组织签名 / you may sign only for your own organisation (${principal.org}), not for ${req.org}`);
    }
    const { ids } = parse(signRequestSchema, { ids: req.ids });
    const { org, key } = await this.signingOf(req.org);
    if (org.status !== 'active') throw new AppError('FORBIDDEN', `组织 ${org.id} 已被停用 / organisation ${org.id} is suspended`);
    if (org.signing === 'self' || !key) {
      throw new AppError(
        'CONFLICT',
        `组织 ${org.id} 自行签名：请把签好名的事件提交到 /ledger/v1/submissions / organisation ${org.id} signs its own events: submit signed events to /ledger/v1/submissions`,
        { signing: 'self' },
      );
    }
    // The same JWK object each time: signEventId imports it once and keeps the imported key.
    return Promise.all(ids.map((id) => signEventId(id, key.privateJwk, key.kid)));
  }

  private async signingOf(orgId: string) {
    const now = Date.now();
    const hit = this.signingCache.get(orgId);
    if (hit && hit.until > now) return hit;
    const org = await this.prisma.identityOrg.findUnique({
      where: { id: orgId },
      include: { keys: { where: { active: true, origin: 'custodial' }, orderBy: { createdAt: 'desc' }, take: 1 } },
    });
    if (!org) throw new AppError('NOT_FOUND', `没有这个组织 / no organisation ${orgId}`);
    const key = org.keys[0];
    const entry = {
      until: now + SIGNING_TTL_MS,
      org: { id: org.id, status: org.status, signing: org.signing },
      ...(key?.privateSealed ? { key: { kid: key.kid, privateJwk: openPrivateJwk(key.privateSealed, this.deps.keyEncryptionKey, org.id, key.kid) } } : {}),
    };
    this.signingCache.set(orgId, entry);
    return entry;
  }

  // ---- first start ----------------------------------------------------------------------------

  /**
   * Creates the operator organisation (role admin) and its `admin` user on first start. Returns
   * what it created; does nothing when they exist. Without a password the admin user cannot be
   * made, which is an error only on a first start.
   */
  async bootstrap(adminPassword: string | undefined): Promise<{ createdOrg: boolean; createdAdmin: boolean }> {
    let createdOrg = false;
    if (!(await this.prisma.identityOrg.findUnique({ where: { id: this.operatorOrg }, select: { id: true } }))) {
      try {
        await this.insertOrg({
          id: this.operatorOrg,
          roles: ['admin'],
          name: { 'zh-CN': 'milkchain 平台运营方', en: 'milkchain operator' },
          region: { name: '中华人民共和国', code: '100000' },
        });
        createdOrg = true;
      } catch (err) {
        // Another instance got there first.
        if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
      }
    }
    let createdAdmin = false;
    if ((await this.prisma.identityUser.count({ where: { org: this.operatorOrg } })) === 0) {
      if (!adminPassword || adminPassword.length < 10) {
        throw new Error('MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD (at least 10 characters) is needed on first start to create the admin user');
      }
      const passwordHash = await hashSecret(adminPassword);
      try {
        await scrubbed('storing the admin user', () =>
          this.prisma.identityUser.create({
            data: { id: newId('usr'), org: this.operatorOrg, username: 'admin', passwordHash, displayName: '平台管理员 / Platform admin', roles: ['admin'] },
          }),
        );
        createdAdmin = true;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    if (createdOrg || createdAdmin) this.logger.info('bootstrap', { org: this.operatorOrg, createdOrg, createdAdmin });
    return { createdOrg, createdAdmin };
  }
}

function publicKey(row: { kid: string; publicJwk: unknown; origin: string; active: boolean; createdAt: Date }): PublicOrgKey {
  const jwk = row.publicJwk as { kty: string; crv: string; x: string };
  return {
    kid: row.kid,
    jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: row.kid, alg: 'EdDSA', use: 'sig' },
    origin: row.origin as PublicOrgKey['origin'],
    active: row.active,
    createdAt: row.createdAt.toISOString(),
  };
}

export { ORG_ROLES };
