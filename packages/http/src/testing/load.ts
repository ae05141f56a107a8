// The benchmarks' HTTP load generator, in its own process (load-child.ts): what it measures is
// what a separate client sees, not the server's event loop or garbage collection.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadRequest, LoadResult } from './load-child.ts';

export type { LoadJob, LoadRequest, LoadResult };

export interface LoadGenerator {
  /** Runs one job (closed or open loop) and resolves with every latency and the failures. */
  run(job: LoadJob): Promise<LoadResult>;
  close(): void;
}

/** Forks the generator (with this process's loader flags, so TypeScript runs under tsx too). */
export function startLoadGenerator(): LoadGenerator {
  const child: ChildProcess = fork(fileURLToPath(new URL('./load-child.ts', import.meta.url)), { stdio: 'inherit' });
  return {
    run: (job) =>
      new Promise<LoadResult>((resolve, reject) => {
        const exited = (code: number | null) => reject(new Error(`the load generator exited (${code}) during a measurement`));
        child.once('exit', exited);
        child.once('message', (r) => {
          child.off('exit', exited);
          resolve(r as LoadResult);
        });
        child.send(job);
      }),
    close: () => void child.kill(),
  };
}
