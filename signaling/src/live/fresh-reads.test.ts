import { describe, expect, it } from 'vitest';
import { freshReads, readOnce } from './fresh-reads.ts';

/** A read whose answer is the number of reads begun so far, settled by hand. */
function reads() {
  const begun: Array<() => void> = [];
  const read = (_key: string) => {
    const n = begun.length + 1;
    return new Promise<number>((resolve) => begun.push(() => resolve(n)));
  };
  return { read, begun };
}

describe('freshReads', () => {
  it('never answers a caller with a read begun before it asked, and shares the next read among those who waited', async () => {
    const { read, begun } = reads();
    const shared = freshReads(read);
    const first = shared('room');
    // These come while read 1 runs: it may have begun before their change, so they wait for read 2.
    const later = [shared('room'), shared('room'), shared('room')];
    expect(begun).toHaveLength(1);
    begun[0]!();
    expect(await first).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(begun).toHaveLength(2);
    // A caller coming while read 2 runs waits for read 3, not read 2.
    const last = shared('room');
    begun[1]!();
    expect(await Promise.all(later)).toEqual([2, 2, 2]);
    await new Promise((r) => setTimeout(r, 0));
    begun[2]!();
    expect(await last).toBe(3);
    expect(begun).toHaveLength(3);
  });

  it('reads keys apart', async () => {
    const { read, begun } = reads();
    const shared = freshReads(read);
    const [a, b] = [shared('a'), shared('b')];
    expect(begun).toHaveLength(2);
    begun.forEach((settle) => settle());
    expect(await Promise.all([a, b])).toEqual([1, 2]);
  });
});

describe('readOnce', () => {
  it('keeps a value and tries a failed read again', async () => {
    let calls = 0;
    const once = readOnce(async () => {
      calls++;
      if (calls === 1) throw new Error('away');
      return calls;
    });
    await expect(once()).rejects.toThrow('away');
    expect(await once()).toBe(2);
    expect(await once()).toBe(2);
    expect(calls).toBe(2);
  });
});
