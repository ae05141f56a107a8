// The consumer page's script, bundled with esbuild when the service starts (no committed build
// artefacts): services/trace/web/page.ts and what it imports (packages/ledger's browser build:
// jose on WebCrypto, @noble/hashes for SHA-256).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BuiltScript {
  code: string;
  /** Content hash: part of the served file name, so it can be cached for a year. */
  hash: string;
  /** Path the page loads it from. */
  path: string;
  gzipBytes: number;
}

export const SCRIPT_PREFIX = '/trace/resolver/';
const ENTRY = path.resolve(import.meta.dirname, '../../web/page.ts');

export async function buildPageScript(): Promise<BuiltScript> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'safari15'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  return { code, hash, path: `${SCRIPT_PREFIX}page.${hash}.js`, gzipBytes: gzipSync(code, { level: 9 }).length };
}
