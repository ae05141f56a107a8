import type { RequestHandler, Response } from 'express';
import type { Role } from '@milkchain/domain';
import { AppError } from '@milkchain/http';
import { unauthenticated, type Principal, type TokenVerifier } from './verifier.ts';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * Requires `Authorization: Bearer <access token>` and puts the verified principal in
 * `res.locals.principal`. A refusal is a 401 problem (code UNAUTHENTICATED, `reason` says why)
 * with a `WWW-Authenticate: Bearer` challenge (RFC 6750).
 */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="milkchain"');
      throw header
        ? unauthenticated('malformed', '授权头格式不对 / the Authorization header must be "Bearer <access token>"')
        : unauthenticated('missing', '需要访问令牌 / this endpoint needs an access token: Authorization: Bearer <token>');
    }
    try {
      res.locals.principal = await verifier.verify(token);
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAUTHENTICATED') {
        res.setHeader('WWW-Authenticate', `Bearer realm="milkchain", error="invalid_token", error_description="${String(err.extras.reason ?? 'invalid')}"`);
      }
      throw err;
    }
    next();
  };
}

/** Lets the request through when the principal holds at least one of `roles`; else 403 naming them. */
export function requireRoles(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!roles.some((r) => principal.roles.includes(r))) {
      throw new AppError(
        'FORBIDDEN',
        `需要以下角色之一：${roles.join('、')} / this needs one of the roles ${roles.join(', ')}; you have ${principal.roles.join(', ') || 'none'}`,
        { requiredRoles: roles },
      );
    }
    next();
  };
}

/** The principal `authenticate` verified; a route without `authenticate` in front gets a 401. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw unauthenticated('missing', '需要访问令牌 / this endpoint needs an access token');
  return principal;
}
