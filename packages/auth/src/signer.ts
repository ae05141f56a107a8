import { AppError, type ErrorCode } from '@milkchain/http';

/** Signs event ids with an organisation's key held by identity. The caller's token must belong to `org`. */
export interface EventSigner {
  /** One compact detached JWS per id, in the order given. */
  sign(req: { token: string; org: string; ids: string[] }): Promise<string[]>;
}

const PASSED_ON: ReadonlySet<string> = new Set(['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT']);

/**
 * `EventSigner` over identity's HTTP API: POST {base}/identity/v1/orgs/{org}/signatures with the
 * caller's token. Identity's refusals (401, 403, 409 ...) come back as the same AppError code and
 * detail; anything else (network, 5xx, a malformed answer) is UNAVAILABLE, which a retry may fix.
 */
export function httpEventSigner(identityBaseUrl: string, fetchImpl: typeof fetch = fetch): EventSigner {
  const base = identityBaseUrl.replace(/\/+$/, '');
  return {
    async sign({ token, org, ids }) {
      let res: Response;
      try {
        res = await fetchImpl(`${base}/identity/v1/orgs/${encodeURIComponent(org)}/signatures`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ ids }),
        });
      } catch (err) {
        throw new AppError('UNAVAILABLE', `签名服务不可用 / the identity service could not be reached to sign events: ${(err as Error).message}`);
      }
      const body = (await res.json().catch(() => undefined)) as { signatures?: unknown; code?: unknown; detail?: unknown } | undefined;
      if (!res.ok) {
        const code = typeof body?.code === 'string' && PASSED_ON.has(body.code) ? (body.code as ErrorCode) : 'UNAVAILABLE';
        const detail = typeof body?.detail === 'string' ? body.detail : `identity answered HTTP ${res.status}`;
        throw new AppError(code, code === 'UNAVAILABLE' ? `签名失败，请稍后重试 / signing failed, try again: ${detail}` : detail);
      }
      const signatures = body?.signatures;
      if (!Array.isArray(signatures) || signatures.length !== ids.length || signatures.some((s) => typeof s !== 'string')) {
        throw new AppError('UNAVAILABLE', '签名服务返回的内容无效 / identity answered without one signature per event id');
      }
      return signatures as string[];
    },
  };
}
