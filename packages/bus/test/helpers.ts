import { randomBytes } from 'node:crypto';
import type { Delivered } from '../src/index.ts';

/** A fresh namespace: topics and groups of one test never meet another's. */
export const freshNamespace = (prefix = 't') => `${prefix}${randomBytes(5).toString('hex')}`;

/** Polls `cond` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A handler that records every delivery, in delivery order. */
export function recorder() {
  const seen: Delivered[] = [];
  return {
    seen,
    values: () => seen.map((m) => m.value),
    handle: async (batch: Delivered[]) => {
      seen.push(...batch);
    },
  };
}

/** Values per key, in delivery order. */
export function byKey(msgs: Delivered[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of msgs) out.set(m.key, [...(out.get(m.key) ?? []), m.value]);
  return out;
}

/** A logger that keeps what it was told, for asserting on it. */
export function capturingLogger() {
  const lines: Array<{ level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    logger: {
      info: (message: string, fields?: Record<string, unknown>) => void lines.push({ level: 'info', message, fields }),
      warn: (message: string, fields?: Record<string, unknown>) => void lines.push({ level: 'warn', message, fields }),
      error: (message: string, fields?: Record<string, unknown>) => void lines.push({ level: 'error', message, fields }),
    },
  };
}
