import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { ROLES, type Role } from '@milkchain/domain';
import { AppError } from '@milkchain/http';

/** The services that accept access tokens; a token's `aud` holds `milkchain:<name>` for each. */
export const AUDIENCES = ['farm', 'processor', 'lab', 'logistics', 'ledger', 'identity', 'trace'] as const;
export type AudienceName = (typeof AUDIENCES)[number];
export const ISSUER = 'milkchain:identity';
/** RFC 9068 access-token type; tokens of any other `typ` are refused. */
export const TOKEN_TYPE = 'at+jwt';

export const audienceOf = (name: AudienceName): string => `milkchain:${name}`;

/** Who is calling, as the access token says. */
export interface Principal {
  sub: string;
  org: string;
  roles: Role[];
  /** `client` for API clients (client credentials grant, `sub` starts with `cli_`), else `user`. */
  kind: 'user' | 'client';
  /** The raw bearer token, for forwarding to identity (event signing). */
  token: string;
}

export interface TokenVerifier {
  /** Resolves to the principal, or throws AppError('UNAUTHENTICATED') whose detail says why. */
  verify(token: string): Promise<Principal>;
}

export interface TokenVerifierOptions {
  /** The issuer's keys, or the URL of its JWKS (fetched and cached by jose, refetched for a new kid). */
  jwks: JSONWebKeySet | URL;
  /** The audience this service answers to (`milkchain:<service>`); with a list, any one of them. */
  audience: string | string[];
  issuer?: string;
  clockToleranceSec?: number;
  /** The time tokens are checked at (default: now). */
  clock?: () => Date;
}

/**
 * A token whose signature verified is remembered for at most this long, so that a client sending
 * many requests with one token costs one signature check per minute, not one per request. Its
 * time claims are checked again on every use; a token that did not verify is never remembered.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Most tokens remembered at once (the oldest is forgotten first). */
const VERIFIED_TOKEN_MAX = 10_000;

const ROLE_SET: ReadonlySet<string> = new Set(ROLES);

/** Stable short reasons, carried as `reason` in the problem so clients can tell refusals apart. */
export type RefusalReason =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'type'
  | 'signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'audience'
  | 'issuer'
  | 'claims';

export function unauthenticated(reason: RefusalReason, detail: string): AppError {
  return new AppError('UNAUTHENTICATED', detail, { reason });
}

/**
 * Verifies access tokens as RFC 9068 says, with the algorithm pinned to EdDSA: `alg: none`, HMAC
 * tokens (the "public key as HMAC secret" confusion) and any other algorithm are refused before a
 * key is looked at. Issuer, audience, `exp` and `nbf` (with a small clock tolerance) are checked,
 * and the milkchain claims must be present: `sub`, `org` and `roles` (known roles only).
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const keys = opts.jwks instanceof URL ? createRemoteJWKSet(opts.jwks) : createLocalJWKSet(opts.jwks);
  const issuer = opts.issuer ?? ISSUER;
  const clockTolerance = opts.clockToleranceSec ?? 30;
  const clock = opts.clock ?? (() => new Date());
  const verified = new Map<string, { principal: Principal; expMs: number; untilMs: number }>();
  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 8192) {
        throw unauthenticated('malformed', '令牌格式不对 / the bearer token is not a JWT');
      }
      const now = clock().getTime();
      const known = verified.get(token);
      if (known && now < known.untilMs) {
        if (now > known.expMs + clockTolerance * 1000) {
          verified.delete(token);
          throw expired();
        }
        return known.principal;
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ['EdDSA'],
          typ: TOKEN_TYPE,
          issuer,
          audience: opts.audience,
          clockTolerance,
          currentDate: new Date(now),
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (err) {
        throw refusal(err);
      }
      const principal = principalFrom(payload, token);
      verified.delete(token);
      if (verified.size >= VERIFIED_TOKEN_MAX) verified.delete(verified.keys().next().value!);
      verified.set(token, { principal, expMs: payload.exp! * 1000, untilMs: now + VERIFIED_TOKEN_TTL_MS });
      return principal;
    },
  };
}

function principalFrom(payload: JWTPayload, token: string): Principal {
  const { sub, org, roles } = payload as JWTPayload & { org?: unknown; roles?: unknown };
  if (typeof sub !== 'string' || sub.length === 0) throw unauthenticated('claims', '令牌缺少 sub / the token has no "sub" claim');
  if (typeof org !== 'string' || org.length === 0) throw unauthenticated('claims', '令牌缺少组织 / the token has no "org" claim');
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) {
    throw unauthenticated('claims', '令牌缺少角色 / the token has no "roles" claim (a list of role names)');
  }
  const unknown = roles.filter((r: string) => !ROLE_SET.has(r));
  if (unknown.length > 0) {
    throw unauthenticated('claims', `令牌含有未知角色 / the token names unknown roles: ${unknown.join(', ')}`);
  }
  return { sub, org, roles: [...new Set(roles as Role[])], kind: sub.startsWith('cli_') ? 'client' : 'user', token };
}

const expired = () => unauthenticated('expired', '令牌已过期 / the token has expired; get a new one');

function refusal(err: unknown): AppError {
  if (err instanceof errors.JWTExpired) return expired();
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
      case 'iat':
        return unauthenticated('not_yet_valid', '令牌尚未生效 / the token is not valid yet (nbf is in the future)');
      case 'aud':
        return unauthenticated('audience', '令牌不是签发给本服务的 / the token was not issued for this service (aud)');
      case 'iss':
        return unauthenticated('issuer', '令牌签发方不受信任 / the token was not issued by milkchain identity (iss)');
      case 'typ':
        return unauthenticated('type', `令牌类型不对 / the token's typ must be "${TOKEN_TYPE}"`);
      default:
        return unauthenticated('claims', `令牌声明无效 / the token's "${err.claim}" claim is not valid: ${err.reason}`);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthenticated('algorithm', '令牌算法不被接受 / the token must be signed with EdDSA');
  if (err instanceof errors.JWKSNoMatchingKey) return unauthenticated('unknown_key', '令牌的签名密钥未知 / the token was signed with a key this service does not know (kid)');
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('signature', '令牌签名无效 / the token signature does not verify');
  if (err instanceof errors.JWKSTimeout || (err instanceof errors.JOSEError && err.code === 'ERR_JWKS_INVALID')) {
    return new AppError('UNAVAILABLE', '无法获取身份服务的公钥 / could not fetch the identity keys to check the token');
  }
  if (err instanceof errors.JOSEError) return unauthenticated('malformed', `令牌无效 / the token is not a valid JWT (${err.code})`);
  if (err instanceof TypeError || err instanceof SyntaxError) return unauthenticated('malformed', '令牌无效 / the token is not a valid JWT');
  // A JWKS URL that cannot be reached: the token may be fine, a retry may help.
  return new AppError('UNAVAILABLE', '无法获取身份服务的公钥 / could not fetch the identity keys to check the token');
}
