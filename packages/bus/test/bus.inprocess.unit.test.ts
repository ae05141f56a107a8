import { describe, expect, it } from 'vitest';
import { createInProcessBroker, createInProcessBus, partitionOf } from '../src/index.ts';
import { busContract } from './bus.contract.ts';
import { recorder, waitFor } from './helpers.ts';

describe('in-process bus', () => {
  const broker = createInProcessBroker({ partitions: 4, retryBackoffMs: 20 });
  busContract(() => ({ make: (namespace) => createInProcessBus({ broker, namespace }), timeoutMs: 2_000 }));

  it('keeps headers and resumes a group for the life of one bus object', async () => {
    const bus = createInProcessBus();
    const first = recorder();
    const sub = await bus.subscribe({ topic: 't', group: 'g', fromBeginning: true, handle: first.handle });
    await bus.publish('t', [{ key: 'k', value: '1', headers: { 'message-id': 'one' } }]);
    await waitFor(() => first.seen.length === 1, 2_000, 'the first message');
    await sub.stop();
    await bus.publish('t', [{ key: 'k', value: '2' }]);
    const second = recorder();
    await bus.subscribe({ topic: 't', group: 'g', handle: second.handle });
    await waitFor(() => second.seen.length === 1, 2_000, 'the second message');
    expect(first.seen[0]).toMatchObject({ key: 'k', value: '1', headers: { 'message-id': 'one' }, offset: '0' });
    expect(second.values()).toEqual(['2']);
    await bus.close();
    await expect(bus.publish('t', [{ key: 'k', value: '3' }])).rejects.toThrow(/closed/);
  });

  it('starts a new group at the end unless asked for the beginning', async () => {
    const bus = createInProcessBus();
    await bus.publish('t', [{ key: 'k', value: 'old' }]);
    const late = recorder();
    const early = recorder();
    await bus.subscribe({ topic: 't', group: 'late', handle: late.handle });
    await bus.subscribe({ topic: 't', group: 'early', fromBeginning: true, handle: early.handle });
    await bus.publish('t', [{ key: 'k', value: 'new' }]);
    await waitFor(() => late.seen.length === 1 && early.seen.length === 2, 2_000, 'both groups');
    expect(late.values()).toEqual(['new']);
    expect(early.values()).toEqual(['old', 'new']);
    await bus.close();
  });

  it('drops what every group has committed, and starts a later group at the oldest kept message', async () => {
    const bus = createInProcessBus({ partitions: 1 });
    const first = recorder();
    await bus.subscribe({ topic: 't', group: 'g', fromBeginning: true, handle: first.handle });
    await bus.publish('t', Array.from({ length: 2_500 }, (_, i) => ({ key: 'k', value: String(i) })));
    await waitFor(() => first.seen.length === 2_500, 2_000, 'every message');
    const later = recorder();
    await bus.subscribe({ topic: 't', group: 'later', fromBeginning: true, handle: later.handle });
    await bus.publish('t', [{ key: 'k', value: 'next' }]);
    await waitFor(() => first.seen.length === 2_501 && later.seen.at(-1)?.value === 'next', 2_000, 'the next message');
    expect(later.seen[0]).toMatchObject({ value: '2000', offset: '2000' });
    expect(later.seen).toHaveLength(501);
    expect(first.seen.at(-1)).toMatchObject({ value: 'next', offset: '2500' });
    await bus.close();
  });

  it('partitions by a stable hash of the key', () => {
    expect(partitionOf('urn:milkchain:lot:1', 4)).toBe(partitionOf('urn:milkchain:lot:1', 4));
    const used = new Set(Array.from({ length: 100 }, (_, i) => partitionOf(`k${i}`, 8)));
    expect(used.size).toBe(8);
    expect(() => createInProcessBroker({ partitions: 0 })).toThrow(/positive/);
    expect(() => createInProcessBroker({ topicPartitions: { log: 1.5 } })).toThrow(/partitions of log must be a positive integer/);
  });

  it('gives a topic named in topicPartitions its own partition count, and delivers it in publish order', async () => {
    const bus = createInProcessBus({ partitions: 4, topicPartitions: { log: 1 } });
    const log = recorder();
    const other = recorder();
    await bus.subscribe({ topic: 'log', group: 'g', fromBeginning: true, handle: log.handle });
    await bus.subscribe({ topic: 'other', group: 'g', fromBeginning: true, handle: other.handle });
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `subject-${i % 37}`, value: String(i) }));
    await bus.publish('log', messages);
    await bus.publish('other', messages);
    await waitFor(() => log.seen.length === 200 && other.seen.length === 200, 2_000, 'both topics');
    expect(new Set(log.seen.map((m) => m.partition))).toEqual(new Set([0]));
    expect(log.values()).toEqual(messages.map((m) => m.value));
    expect(new Set(other.seen.map((m) => m.partition)).size).toBe(4);
    await bus.close();
  });
});
