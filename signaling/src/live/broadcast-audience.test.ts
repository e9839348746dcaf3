import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryPresenceStore } from '@fairground/core';
import { BroadcastAudience, type AudienceLedgerPort } from './broadcast-audience.ts';
import { ViewerCounter } from './viewer-counter.ts';

/** Records what the audience asks the ledger to store. */
function fakeLedger() {
  const calls: string[] = [];
  const ledger: AudienceLedgerPort = {
    watching: async (b, i) => void calls.push(`watching ${b} ${i}`),
    stopped: async (b, i) => void calls.push(`stopped ${b} ${i}`),
    raisePeak: async (b, live) => void calls.push(`peak ${b} ${live}`),
    sample: async (b, live) => void calls.push(`sample ${b} ${live}`),
  };
  return { ledger, calls };
}

describe('BroadcastAudience', () => {
  let published: Array<[string, number]>;
  let store: MemoryPresenceStore;
  const node = (ledger: AudienceLedgerPort) =>
    new BroadcastAudience({
      counter: new ViewerCounter({ store, publish: (room, live) => published.push([room, live]) }),
      presence: store,
      ledger,
      sampleMs: 5000,
    });

  beforeEach(() => {
    vi.useFakeTimers();
    published = [];
    store = new MemoryPresenceStore();
  });
  afterEach(() => vi.useRealTimers());

  it('counts identities, opens a view per identity and closes it with its last tab', async () => {
    const { ledger, calls } = fakeLedger();
    const audience = node(ledger);
    expect(await audience.join('b1', 'user:a', 'tab1')).toBe(1);
    expect(await audience.join('b1', 'user:a', 'tab2')).toBe(1);
    expect(await audience.join('b1', 'device:x', 'tab3')).toBe(2);
    expect(published[0]).toEqual(['broadcast:b1', 1]);
    expect(await audience.leave('b1', 'user:a', 'tab1')).toBe(2);
    expect(calls).not.toContain('stopped b1 user:a');
    expect(await audience.leave('b1', 'user:a', 'tab2')).toBe(1);
    expect(calls.filter((c) => c === 'stopped b1 user:a')).toHaveLength(1);
    expect(calls).toContain('peak b1 2');
  });

  it('samples every 5 s while this node has viewers, then once more at zero', async () => {
    const { ledger, calls } = fakeLedger();
    const audience = node(ledger);
    audience.start();
    await audience.join('b1', 'user:a', 'c1');
    await audience.join('b1', 'user:b', 'c2');
    await vi.advanceTimersByTimeAsync(5000);
    await audience.leave('b1', 'user:a', 'c1');
    await audience.leave('b1', 'user:b', 'c2');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.filter((c) => c.startsWith('sample'))).toEqual(['sample b1 2', 'sample b1 0']);
    audience.close();
  });

  it('agrees across two nodes sharing presence: live is distinct identities over both', async () => {
    const a = fakeLedger();
    const b = fakeLedger();
    const nodeA = node(a.ledger);
    const nodeB = node(b.ledger);
    await nodeA.join('b1', 'user:a', 'a1');
    expect(await nodeB.join('b1', 'user:a', 'b1')).toBe(1); // the same person on the other node
    expect(await nodeB.join('b1', 'user:b', 'b2')).toBe(2);
    await nodeA.leave('b1', 'user:a', 'a1');
    // user:a still has a tab on node B: the view stays open.
    expect(a.calls).not.toContain('stopped b1 user:a');
    expect(await nodeB.count('b1')).toBe(2);
  });
});
