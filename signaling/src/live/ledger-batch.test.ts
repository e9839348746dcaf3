import { describe, expect, it } from 'vitest';
import { batchLedger, type BatchableLedger } from './ledger-batch.ts';

/** A ledger that records its statements and holds each until released (core's AudienceLedger is tested on Postgres). */
function recordingLedger() {
  const statements: string[] = [];
  const held: Array<() => void> = [];
  const hold = (what: string) => {
    statements.push(what);
    return new Promise<void>((resolve) => held.push(resolve));
  };
  const ledger: BatchableLedger = {
    watching: (b, i) => hold(`watching ${b} ${i}`),
    watchingMany: (b, ids) => hold(`watchingMany ${b} ${ids.join(',')}`),
    raisePeak: (b, live) => hold(`raisePeak ${b} ${live}`),
    stopped: (b, i) => hold(`stopped ${b} ${i}`),
    sample: (b, live) => hold(`sample ${b} ${live}`),
  };
  return { ledger, statements, releaseAll: () => held.splice(0).forEach((r) => r()) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('batchLedger', () => {
  it('writes what came while a batch was being written as one batch, and settles each write once it is written', async () => {
    const { ledger, statements, releaseAll } = recordingLedger();
    const batched = batchLedger(ledger);
    let done = 0;
    const write = (p: Promise<void>) => void p.then(() => done++);
    write(batched.watching('b1', 'a'));
    write(batched.raisePeak('b1', 1));
    await tick();
    expect(statements).toEqual(['watchingMany b1 a', 'raisePeak b1 1']);
    // While the first batch is written: gathered.
    write(batched.watching('b1', 'b'));
    write(batched.raisePeak('b1', 3));
    write(batched.watching('b1', 'c'));
    write(batched.raisePeak('b1', 2));
    await tick();
    expect(statements).toHaveLength(2);
    expect(done).toBe(0);
    releaseAll();
    await tick();
    expect(done).toBe(2);
    expect(statements.slice(2)).toEqual(['watchingMany b1 b,c', 'raisePeak b1 3']);
    releaseAll();
    await tick();
    expect(done).toBe(6);
  });

  it('passes leaves and samples straight through', async () => {
    const { ledger, statements } = recordingLedger();
    const batched = batchLedger(ledger);
    void batched.stopped('b1', 'a');
    void batched.sample('b1', 4);
    expect(statements).toEqual(['stopped b1 a', 'sample b1 4']);
  });

  it('fails the writes of a batch that failed', async () => {
    const batched = batchLedger({
      watching: async () => {},
      watchingMany: async () => Promise.reject(new Error('database away')),
      raisePeak: async () => {},
      stopped: async () => {},
      sample: async () => {},
    });
    await expect(batched.watching('b1', 'a')).rejects.toThrow('database away');
  });
});
