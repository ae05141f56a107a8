/**
 * @milkchain/auth: access-token verification (EdDSA pinned, RFC 9068), the caller as a
 * `Principal`, Express middleware, and the `EventSigner` port with its HTTP client.
 * Test helpers that mint real tokens live under `@milkchain/auth/testing`.
 */
export {
  AUDIENCES,
  ISSUER,
  TOKEN_TYPE,
  audienceOf,
  createTokenVerifier,
  type AudienceName,
  type Principal,
  type RefusalReason,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './verifier.ts';
export { authenticate, principalOf, requireRoles } from './middleware.ts';
export { httpEventSigner, type EventSigner } from './signer.ts';
