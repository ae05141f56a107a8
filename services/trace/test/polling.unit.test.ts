import { expect, it } from 'vitest';
import { startPolling } from '../src/polling.ts';

it('runs rounds back to back while they report more, goes on after a failed round, and stop waits for the round in flight and ends the loop', async () => {
  let calls = 0;
  const errors: unknown[] = [];
  let finishLast: () => void = () => {};
  let lastStarted: () => void = () => {};
  const fifthRound = new Promise<void>((r) => (lastStarted = r));
  const loop = startPolling({
    pollMs: 5,
    round: async () => {
      calls++;
      if (calls === 2) throw new Error('round 2 failed');
      if (calls === 5) {
        lastStarted();
        await new Promise<void>((r) => (finishLast = r));
      }
      // Rounds 1, 3 and 4 say more is waiting; after the failed round 2 the loop sleeps.
      return calls !== 5;
    },
    onError: (err) => errors.push(err),
  });
  await fifthRound;
  let stopped = false;
  const stopping = loop.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 20));
  expect(stopped).toBe(false); // round 5 is still running
  finishLast();
  await stopping;
  expect(calls).toBe(5);
  expect(errors.map((e) => (e as Error).message)).toEqual(['round 2 failed']);
  await new Promise((r) => setTimeout(r, 30));
  expect(calls).toBe(5); // nothing runs after stop
});
