import { z } from 'zod';
import { orgId } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  org: orgId,
  kid: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, 'must contain only base64url characters'),
  // Strict: a JWK with any other member (above all the private `d`) is refused.
  jwk: z.strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    /** The 32-byte public key, base64url without padding; the last character carries 2 zero bits. */
    x: z
      .string()
      .length(43)
      .regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'must be a 32-byte key in unpadded base64url'),
  }),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'org.key.registered',
  version: 1,
  description: {
    'zh-CN': '日志运营方登记某组织的 Ed25519 签名公钥，此后该组织的事件以此密钥验签。',
    en: "The log's operator registers an organisation's Ed25519 signing key; the organisation's events are verified with it from then on.",
  },
  roles: ['operator'],
  schema,
  fixture: {
    v: 1,
    kind: 'org.key.registered',
    kindVersion: 1,
    org: 'org_milkchain_ops',
    subject: 'urn:milkchain:org:org_hohhot_dairy',
    prev: null,
    inputs: [],
    occurredAt: '2026-01-05T10:00:00+08:00',
    data: {
      org: 'org_hohhot_dairy',
      kid: 'Hi4zwWI2HS9DecAS44-oMYMEHyPsAWyQpk--9ryK8Uc',
      jwk: { kty: 'OKP', crv: 'Ed25519', x: 'E5eHM9L0y5QsuzUbL1y-4RoqP37EtYInJMdvJ1raDOk' },
    },
  },
});
