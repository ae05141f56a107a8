// The HTTP load generator of the benchmarks, run as a child process (forked by load.ts) so that
// its event loop and its garbage collection are not the server's: the latencies it reports are
// what a separate client sees. node:http with a keep-alive agent, no dependency.
//
// Protocol: the parent sends one LoadJob over IPC per measurement; the child answers with a
// LoadResult. `closed` runs `concurrency` request loops back to back (one at a time when 1);
// `open` sends request i at t0 + i / rate whatever the earlier ones are doing (open loop: a slow
// answer does not hold back the next request, so time queued behind it in the server counts).
// Closed loop: latency from the moment a request is sent. Open loop: from the moment it was due
// (or sent, if a timer fired a fraction early), so time the client spent behind schedule, because
// the server was slow to answer earlier requests, counts against the server as a user would feel it.
import http from 'node:http';

export type LoadJob =
  | { kind: 'closed'; base: string; paths: string[]; concurrency: number; headers?: Record<string, string> }
  | { kind: 'open'; base: string; paths: string[]; rate: number; headers?: Record<string, string> };

export interface LoadResult {
  latencies: number[];
  seconds: number;
  /** Requests that did not answer 200, with the first failure's status and path. */
  failures: number;
  firstFailure?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function get(base: URL, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: base.hostname, port: base.port, path, agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const base = new URL(job.base);
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const one = async (p: string, start: number) => {
    const status = await get(base, p, job.headers);
    latencies.push(performance.now() - start);
    if (status !== 200) {
      failures++;
      firstFailure ??= `${status} ${p}`;
    }
  };
  const t0 = performance.now();
  if (job.kind === 'closed') {
    let next = 0;
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (next < job.paths.length) {
          const p = job.paths[next++]!;
          await one(p, performance.now());
        }
      }),
    );
  } else {
    const interval = 1000 / job.rate;
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < job.paths.length; i++) {
      const wait = t0 + i * interval - performance.now();
      // Behind schedule (a late timer): send at once, never skip; the achieved rate is reported.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(one(job.paths[i]!, Math.min(t0 + i * interval, performance.now())));
    }
    await Promise.all(inFlight);
  }
  return { latencies, seconds: (performance.now() - t0) / 1000, failures, ...(firstFailure ? { firstFailure } : {}) };
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!(result),
    (err: unknown) => process.send!({ latencies: [], seconds: 0, failures: job.paths.length, firstFailure: String(err) } satisfies LoadResult),
  );
});
