// Writes generated events as NDJSON (one event per line, in ledger order), for benchmarks and
// load tests:  tsx seeds/src/cli.ts --events N [--out file.ndjson] [--seed S] [--hubs H]
// Without --out the events go to stdout. Progress goes to stderr (zh-CN, then English).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateEvents } from './generate.ts';

const USAGE = `用法 / usage: tsx seeds/src/cli.ts --events N [--out file.ndjson] [--seed S] [--hubs H]
  --events N   生成的事件数 / number of events to generate
  --out FILE   写入文件（默认标准输出）/ write to FILE (default: stdout)
  --seed S     随机种子（默认 1）/ PRNG seed (default 1)
  --hubs H     供应链数量，每条含 3 个牧场（默认 100）/ supply chains, 3 farms each (default 100)`;

function positiveInt(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (value === undefined || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`--${name} 须为非负整数 / --${name} must be a non-negative integer (got ${value ?? 'nothing'})`);
  }
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let options: { events: number; out: string | undefined; seed: number; hubs: number };
  try {
    const { values } = parseArgs({
      args: argv,
      options: { events: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, hubs: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    options = {
      events: positiveInt('events', values.events),
      out: values.out,
      seed: positiveInt('seed', values.seed, 1),
      hubs: Math.max(1, positiveInt('hubs', values.hubs, 100)),
    };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }

  const out: Writable = options.out === undefined ? process.stdout : createWriteStream(options.out);
  const started = performance.now();
  let lastReport = started;
  let written = 0;
  let chunk: string[] = [];
  const progress = (final: boolean) => {
    const s = (performance.now() - started) / 1000;
    const rate = Math.round(written / Math.max(s, 1e-3));
    const pct = options.events === 0 ? 100 : Math.floor((written / options.events) * 100);
    process.stderr.write(`\r已生成 ${written}/${options.events} 个事件（${pct}%，${rate} 个/秒）/ generated ${written}/${options.events} events (${pct}%, ${rate}/s)${final ? '\n' : ''}`);
  };
  for (const event of generateEvents(options.events, { seed: options.seed, hubs: options.hubs })) {
    chunk.push(JSON.stringify(event));
    written++;
    if (chunk.length === 1000) {
      // Respect back-pressure so memory stays flat for any N.
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk = [];
      const now = performance.now();
      if (now - lastReport > 500) {
        progress(false);
        lastReport = now;
      }
    }
  }
  if (chunk.length > 0) out.write(chunk.join('\n') + '\n');
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  progress(true);
  if (options.out !== undefined) process.stderr.write(`已写入 ${options.out} / written to ${options.out}\n`);
  return 0;
}

// Run only when executed directly, so tests can import main().
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`生成失败 / generation failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
