import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryPresenceStore } from '@fairground/core';
import { ViewerCounter } from './viewer-counter.ts';

describe('ViewerCounter', () => {
  let published: Array<[string, number]>;
  let counter: ViewerCounter;

  beforeEach(() => {
    vi.useFakeTimers();
    published = [];
    counter = new ViewerCounter({
      store: new MemoryPresenceStore(),
      publish: (roomId, live) => published.push([roomId, live]),
      minIntervalMs: 1000,
    });
  });
  afterEach(() => {
    counter.close();
    vi.useRealTimers();
  });

  it('counts distinct identities: two tabs of one person count once', async () => {
    expect(await counter.join('r', 'user:a', 'tab1')).toBe(1);
    expect(await counter.join('r', 'user:a', 'tab2')).toBe(1);
    expect(await counter.join('r', 'user:b', 'tab3')).toBe(2);
    expect(await counter.leave('r', 'user:a', 'tab1')).toBe(2);
    expect(await counter.leave('r', 'user:a', 'tab2')).toBe(1);
    expect(await counter.count('r')).toBe(1);
  });

  it('ignores a leave of a connection that never joined', async () => {
    await counter.join('r', 'user:a', 'tab1');
    expect(await counter.leave('r', 'user:a', 'other')).toBe(1);
    expect(await counter.leave('r', 'user:z', 'tab9')).toBe(1);
  });

  it('keeps rooms apart', async () => {
    await counter.join('r1', 'user:a', 'c1');
    await counter.join('r2', 'user:a', 'c2');
    expect(await counter.count('r1')).toBe(1);
    expect(await counter.leave('r2', 'user:a', 'c2')).toBe(0);
    expect(await counter.count('r1')).toBe(1);
  });

  it('publishes the first change at once and folds a burst into one trailing fresh count', async () => {
    await counter.join('r', 'user:0', 'c0');
    await vi.advanceTimersByTimeAsync(0); // the claim and the fresh read: no timer, only awaits
    expect(published).toEqual([['r', 1]]);
    for (let i = 1; i <= 50; i++) await counter.join('r', `user:${i}`, `c${i}`);
    expect(published).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(published).toEqual([
      ['r', 1],
      ['r', 51],
    ]);
  });

  it('never publishes a room more than once per interval', async () => {
    for (let i = 0; i < 20; i++) {
      await counter.join('r', `user:${i}`, `c${i}`);
      await vi.advanceTimersByTimeAsync(100);
    }
    // 2 s of activity: the leading update plus at most one per second after it.
    await vi.advanceTimersByTimeAsync(1000);
    expect(published.length).toBeLessThanOrEqual(3);
    expect(published.at(-1)).toEqual(['r', 20]);
  });

  it('spaces updates across nodes sharing one store: at most one a second per room, the last one fresh', async () => {
    const store = new MemoryPresenceStore();
    const sent: Array<[number, number]> = [];
    const nodes = [0, 1].map(() => new ViewerCounter({ store, publish: (_room, live) => sent.push([Date.now(), live]), minIntervalMs: 1000 }));
    for (let i = 0; i < 40; i++) {
      await nodes[i % 2]!.join('r', `user:${i}`, `c${i}`);
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(3000);
    for (let i = 1; i < sent.length; i++) expect(sent[i]![0] - sent[i - 1]![0]).toBeGreaterThanOrEqual(950);
    expect(sent.at(-1)![1]).toBe(40);
    nodes.forEach((n) => n.close());
  });
});

describe('ViewerCounter: counts converge', () => {
  afterEach(() => vi.useRealTimers());

  it('publishes the last change even when other nodes hold the room for several intervals in a row', async () => {
    vi.useFakeTimers();
    const store = new MemoryPresenceStore();
    // Another node's publishes (each read before this node's change) hold the room three times over.
    let refusals = 3;
    const claim = store.claim.bind(store);
    store.claim = async (key, ms) => (refusals-- > 0 ? false : claim(key, ms));
    const published: number[] = [];
    const counter = new ViewerCounter({ store, publish: (_room, live) => published.push(live), minIntervalMs: 1000 });
    await counter.join('r', 'user:a', 'c1');
    await vi.advanceTimersByTimeAsync(5000);
    expect(published).toEqual([1]);
    counter.close();
  });

  it('a node refused by another node’s claim publishes soon after that claim runs out, not an interval after the refusal', async () => {
    vi.useFakeTimers({ now: 0 });
    const store = new MemoryPresenceStore();
    const sent: Array<[number, number]> = [];
    const [a, b] = [0, 1].map(() => new ViewerCounter({ store, publish: (_room, live) => sent.push([Date.now(), live]), minIntervalMs: 1000 }));
    await a!.join('r', 'user:a', 'c1');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[0, 1]]);
    // Late in A's claim (taken at 0, held until 950), B's change: refused now, and nothing else changes.
    await vi.advanceTimersByTimeAsync(900);
    await b!.join('r', 'user:b', 'c2');
    await vi.advanceTimersByTimeAsync(3000);
    expect(sent.map(([, live]) => live)).toEqual([1, 2]);
    // Asked again every 200 ms: out soon after A's claim ran out at 950 (it was 1900 when B waited
    // a whole interval after its refusal, twice the interval after the change at 900).
    expect(sent[1]![0]).toBeGreaterThanOrEqual(950);
    expect(sent[1]![0]).toBeLessThanOrEqual(1200);
    a!.close();
    b!.close();
  });

  it('publishes again after the store failed for a moment, with no further change', async () => {
    vi.useFakeTimers();
    const store = new MemoryPresenceStore();
    let failures = 2;
    const count = store.count.bind(store);
    store.count = async (room) => {
      if (failures-- > 0) throw new Error('redis restarting');
      return count(room);
    };
    const published: number[] = [];
    const counter = new ViewerCounter({ store, publish: (_room, live) => published.push(live), minIntervalMs: 1000 });
    await counter.join('r', 'user:a', 'c1');
    await counter.join('r', 'user:b', 'c2');
    await vi.advanceTimersByTimeAsync(4000);
    expect(published).toEqual([2]);
    counter.close();
  });
});
