// Request bodies, as zod schemas: the one description of what identity accepts, used both to
// validate (400 naming the field) and to write the OpenAPI document (z.toJSONSchema).
import { z } from 'zod';
import { ORG_ID, isGln13 } from '@milkchain/domain';
import { isUscc } from './uscc.ts';

/** Roles an organisation can hold. */
export const ORG_ROLES = ['farm', 'collector', 'processor', 'workshop', 'lab', 'logistics', 'retailer', 'regulator', 'admin'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export const LICENCE_TYPES = ['SC', 'workshop_registration', 'raw_milk_purchase', 'raw_milk_transport'] as const;

const ONE_LINE = /^[^\p{Cc}\u2028\u2029]*\S[^\p{Cc}\u2028\u2029]*$/u;
const line = (max: number) => z.string().min(1).max(max).regex(ONE_LINE, 'must be one line of text, not blank, without control characters');

export const orgIdSchema = z.string().max(64).regex(ORG_ID, 'must look like org_<2 to 60 of a-z, 0-9, _ or ->');

export const glnSchema = z
  .string()
  .refine(isGln13, 'must be a GLN: 13 digits ending in its GS1 check digit')
  .meta({ description: 'GS1 Global Location Number (GLN-13)', examples: ['6901234000018'] });

export const usccSchema = z
  .string()
  .refine(isUscc, 'must be a 统一社会信用代码: 18 characters (digits and capitals without I, O, Z, S, V) ending in its GB 32100-2015 check character')
  .meta({ description: '统一社会信用代码 (GB 32100-2015)', examples: ['91150121MA0N3X7K2P'] });

export const ACCREDITATION_SCHEMES = ['CMA', 'CNAS'] as const;

// As printed: letters (Chinese too), digits, brackets, . _ / : - and single inner spaces.
const DOCUMENT_NUMBER = /^(?=.*[\p{L}\p{N}])[\p{L}\p{N}()（）〔〕[\]._/:-]+( [\p{L}\p{N}()（）〔〕[\]._/:-]+)*$/u;
const DOCUMENT_NUMBER_MESSAGE = 'must be the number as printed: letters, digits, ()（）〔〕[]._/:- and single spaces between them';

export const licenceSchema = z.strictObject({
  type: z.enum(LICENCE_TYPES).meta({
    description: 'SC: 食品生产许可证; workshop_registration: 加工坊登记证; raw_milk_purchase: 生鲜乳收购许可证; raw_milk_transport: 生鲜乳准运证',
  }),
  number: z
    .string()
    .min(1)
    .max(64)
    .regex(DOCUMENT_NUMBER, DOCUMENT_NUMBER_MESSAGE)
    .meta({ examples: ['蒙生乳收150825-0007', 'SC10615012100017'] }),
  expiresAt: z.iso.date().meta({ description: 'last day of validity, YYYY-MM-DD' }),
});

export const accreditationSchema = z.strictObject({
  scheme: z.enum(ACCREDITATION_SCHEMES).meta({ description: 'CMA: 检验检测机构资质认定; CNAS: 中国合格评定国家认可委员会实验室认可' }),
  number: z.string().min(1).max(64).regex(DOCUMENT_NUMBER, DOCUMENT_NUMBER_MESSAGE).meta({ examples: ['221512340567', 'CNAS L12345'] }),
  expiresAt: z.iso.date().meta({ description: 'last day of validity, YYYY-MM-DD' }),
});

/** Bilingual as everywhere in milkchain: Chinese first, then English. */
export const nameSchema = z.strictObject({ 'zh-CN': line(120), en: line(120) });
export const regionSchema = z.strictObject({
  name: line(120).meta({ examples: ['内蒙古自治区呼和浩特市土默特左旗'] }),
  code: z
    .string()
    .regex(/^[0-9]{6}([0-9]{3}|[0-9]{6})?$/, 'must be an administrative division code: 6 digits (行政区划代码), or 9 or 12 digits')
    .meta({ examples: ['150121'] }),
});

const profileFields = {
  name: nameSchema,
  region: regionSchema,
  gln: glnSchema.optional(),
  uscc: usccSchema.optional(),
  licences: z.array(licenceSchema).max(20).optional(),
  accreditations: z.array(accreditationSchema).max(10).optional(),
};

const roleList = (values: readonly string[]) =>
  z
    .array(z.enum(values as [string, ...string[]]))
    .min(1)
    .max(values.length)
    .refine((roles) => new Set(roles).size === roles.length, 'must not name a role twice');

export const createOrgSchema = z
  .strictObject({
    id: orgIdSchema.optional().meta({ description: 'chosen id; made up when left out' }),
    roles: roleList(ORG_ROLES),
    ...profileFields,
  })
  .meta({ title: 'CreateOrganisation' });

export const patchOrgSchema = z
  .strictObject({
    status: z.enum(['active', 'suspended']).optional(),
    name: nameSchema.optional(),
    region: regionSchema.optional(),
    gln: glnSchema.nullable().optional(),
    uscc: usccSchema.nullable().optional(),
    licences: z.array(licenceSchema).max(20).optional(),
    accreditations: z.array(accreditationSchema).max(10).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field')
  .meta({ title: 'PatchOrganisation' });

export const createUserSchema = z
  .strictObject({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3 to 40 of a-z, 0-9, . _ -, starting with a letter or digit'),
    password: z.string().min(10).max(200).meta({ writeOnly: true }),
    displayName: line(60),
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'must be a phone number: digits, spaces and -, optionally starting with +')
      .optional()
      .meta({ description: 'personal data: stored, never shown in public reads or logs' }),
    roles: z.array(z.string()).min(1).max(ORG_ROLES.length),
  })
  .meta({ title: 'CreateUser' });

export const createClientSchema = z
  .strictObject({
    name: line(80),
    roles: z.array(z.string()).min(1).max(ORG_ROLES.length).optional().meta({ description: "default: all of the organisation's roles" }),
  })
  .meta({ title: 'CreateClient' });

/** Space-separated (as in a form post) or a JSON list. */
const audienceParam = z.union([z.string().max(400), z.array(z.string().max(64)).max(10)]).optional();

// OAuth parameters we do not use (scope, ...) are ignored rather than refused, as RFC 6749 asks.
export const tokenRequestSchema = z
  .discriminatedUnion('grant_type', [
    z.object({ grant_type: z.literal('password'), username: z.string().min(1).max(64), password: z.string().min(1).max(200), audience: audienceParam }),
    z.object({
      grant_type: z.literal('client_credentials'),
      client_id: z.string().min(1).max(64),
      client_secret: z.string().min(1).max(200),
      audience: audienceParam,
    }),
  ])
  .meta({ title: 'TokenRequest' });

export const publicJwkSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the 32-byte public key, base64url without padding (43 characters)'),
  kid: z.string().max(128).optional(),
  alg: z.literal('EdDSA').optional(),
  use: z.literal('sig').optional(),
});

export const keysRequestSchema = z
  .union([
    z.strictObject({ rotate: z.literal(true) }).meta({ description: 'a new custodial key; identity keeps signing' }),
    z.strictObject({ jwk: publicJwkSchema }).meta({ description: "the organisation's own public key; it signs its events itself from now on" }),
  ])
  .meta({ title: 'KeysRequest' });

export const signRequestSchema = z
  .strictObject({
    ids: z
      .array(z.string().regex(/^[0-9a-f]{64}$/, 'must be an event id: 64 lowercase hex characters'))
      .min(1)
      .max(1000),
  })
  .meta({ title: 'SignRequest' });

export type CreateOrg = z.infer<typeof createOrgSchema>;
export type PatchOrg = z.infer<typeof patchOrgSchema>;
export type CreateUser = z.infer<typeof createUserSchema>;
export type CreateClient = z.infer<typeof createClientSchema>;
export type TokenRequest = z.infer<typeof tokenRequestSchema>;
export type KeysRequest = z.infer<typeof keysRequestSchema>;
export type Licence = z.infer<typeof licenceSchema>;
export type Accreditation = z.infer<typeof accreditationSchema>;
