/**
 * The event envelope (ARCHITECTURE.md, "Events (exact)"). Every event, of every kind and
 * version, has exactly these fields; the kind's schema then checks `data`.
 */
import type { LedgerEvent } from '@milkchain/ledger';
import { z } from 'zod';
import { eventId, orgId, timestamp, urn } from './fields.ts';

/** An event as it is hashed, signed and logged: the ledger's type, checked here by a schema. */
export type { LedgerEvent };

export const MAX_INPUTS = 1000;

const KIND = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+$/;

export const envelopeSchema = z.strictObject({
  v: z.literal(1),
  kind: z.string().max(100).regex(KIND, 'must be dotted lowercase words, e.g. milk.collected'),
  kindVersion: z.int().positive(),
  org: orgId,
  subject: urn,
  prev: eventId.nullable(),
  inputs: z
    .array(eventId)
    .max(MAX_INPUTS)
    .superRefine((ids, ctx) => {
      const seen = new Map<string, number>();
      ids.forEach((id, i) => {
        const first = seen.get(id);
        if (first === undefined) seen.set(id, i);
        else ctx.addIssue({ code: 'custom', path: [i], message: `must not repeat inputs[${first}]` });
      });
    }),
  occurredAt: timestamp,
  data: z.record(z.string(), z.unknown()),
});

// Compile-time check that the hand-written type and the schema agree both ways.
type Parsed = z.output<typeof envelopeSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _envelopeMatchesType: Same<Parsed, LedgerEvent> = true;
