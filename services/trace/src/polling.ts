/**
 * A background loop: run a round, sleep `pollMs`, again; a round that says more may be waiting
 * (returns true) is followed at once. A failed round is reported and the loop goes on. `stop`
 * ends the loop and waits for a round in flight.
 */
export function startPolling(opts: { pollMs: number; round: () => Promise<boolean | void>; onError: (err: unknown) => void }): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      while (!stopped && (await opts.round()) === true);
    })()
      .catch(opts.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.pollMs);
      });
  };
  timer = setTimeout(tick, opts.pollMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
