import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as node from '../src/index.ts';

/**
 * The verifier must run in a browser. Bundle the package the way a page would (browser platform,
 * so `#sha256` resolves to the JavaScript implementation), run the bundle in a bare V8 context
 * that has only what browsers have (WebCrypto, TextEncoder/Decoder, atob/btoa), and compare with Node.
 */
describe('@milkchain/ledger in a browser', () => {
  it('bundles without Node built-ins and verifies the same way', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'ledger',
      write: false,
      minify: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/node:crypto|require\(/);

    const context = vm.createContext({ crypto: globalThis.crypto, TextEncoder, TextDecoder, Uint8Array, atob, btoa, console });
    vm.runInContext(code, context);
    const web = context.ledger as typeof node;

    const event = { v: 1, kind: 'milk.collected', data: { volumeL: 1234.5, note: '奶豆腐' } };
    // Objects the bundle checks must come from its own realm, as they would in a page.
    const inPage = vm.runInContext(`(${JSON.stringify(event)})`, context) as unknown;
    expect(web.eventId(inPage)).toBe(node.eventId(event));
    const leaves = Array.from({ length: 37 }, (_, i) => node.leafHash(node.utf8Encode(String(i))));
    expect(web.toHex(web.rootFromLeafHashes(leaves))).toBe(node.toHex(node.rootFromLeafHashes(leaves)));

    const key = await node.generateOrgKey();
    const id = node.eventId(event);
    const sig = await node.signEventId(id, key.privateJwk, key.kid);
    await expect(web.verifyEventSignature(id, sig, key.publicJwk)).resolves.toBeUndefined();
    await expect(web.verifyEventSignature(node.eventId({ other: true }), sig, key.publicJwk)).rejects.toThrow();
  });
});
