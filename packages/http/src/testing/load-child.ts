// The HTTP load generator of the benchmarks, run as a child process (forked by load.ts) so that
// its event loop and its garbage collection are not the server's: the latencies it reports are
// what a separate client sees. node:http with a keep-alive agent, no dependency.
//
// Protocol: the parent sends one LoadJob (GETs of paths, or POSTs with bodies) over IPC per measurement; the child answers with a
// LoadResult. `closed` runs `concurrency` request loops back to back (one at a time when 1);
// `open` sends request i at t0 + i / rate whatever the earlier ones are doing (open loop: a slow
// answer does not hold back the next request, so time queued behind it in the server counts).
// Closed loop: latency from the moment a request is sent. Open loop: from the moment it was due
// (or sent, if a timer fired a fraction early), so time the client spent behind schedule, because
// the server was slow to answer earlier requests, counts against the server as a user would feel it.
import http from 'node:http';

/** A request other than a plain GET: a POST with its JSON body and its own headers (a token). */
export interface LoadRequest {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: string;
  headers?: Record<string, string>;
}

/** GETs of `paths`, or `requests`; `expect` is the status that counts as success (default 200). */
export type LoadJob = ({ paths: string[] } | { requests: LoadRequest[] }) & { base: string; headers?: Record<string, string>; expect?: number } & (
    | { kind: 'closed'; concurrency: number }
    | { kind: 'open'; rate: number }
  );

export interface LoadResult {
  latencies: number[];
  seconds: number;
  /** Requests that did not answer 200, with the first failure's status and path. */
  failures: number;
  firstFailure?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(base: URL, r: LoadRequest | string, common: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const one = typeof r === 'string' ? { method: 'GET', path: r, headers: common } : { method: r.method, path: r.path, headers: { ...common, 'content-type': 'application/json', ...r.headers } };
    const req = http.request({ host: base.hostname, port: base.port, agent, ...one }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(typeof r === 'string' ? undefined : r.body);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const base = new URL(job.base);
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const all: Array<LoadRequest | string> = 'paths' in job ? job.paths : job.requests;
  const expect = job.expect ?? 200;
  const one = async (r: LoadRequest | string, start: number) => {
    const status = await send(base, r, job.headers);
    latencies.push(performance.now() - start);
    if (status !== expect) {
      failures++;
      firstFailure ??= `${status} ${typeof r === 'string' ? r : `${r.method} ${r.path}`}`;
    }
  };
  const t0 = performance.now();
  if (job.kind === 'closed') {
    let next = 0;
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (next < all.length) {
          const r = all[next++]!;
          await one(r, performance.now());
        }
      }),
    );
  } else {
    const interval = 1000 / job.rate;
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < all.length; i++) {
      const wait = t0 + i * interval - performance.now();
      // Behind schedule (a late timer): send at once, never skip; the achieved rate is reported.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(one(all[i]!, Math.min(t0 + i * interval, performance.now())));
    }
    await Promise.all(inFlight);
  }
  return { latencies, seconds: (performance.now() - t0) / 1000, failures, ...(firstFailure ? { firstFailure } : {}) };
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!(result),
    (err: unknown) => process.send!({ latencies: [], seconds: 0, failures: 'paths' in job ? job.paths.length : job.requests.length, firstFailure: String(err) } satisfies LoadResult),
  );
});
