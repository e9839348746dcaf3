import { describe, expect, it } from 'vitest';
import { createGate } from './gate.ts';

describe('gate', () => {
  it('runs at most its concurrency at once, the rest in arrival order, and passes results and errors through', async () => {
    const gate = createGate(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 3) throw new Error('three');
      return i;
    };
    const settled = Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => gate.run(task(i))));
    expect(gate.waiting).toBe(4);
    const results = await settled;
    expect(gate.waiting).toBe(0);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 1, 2, 'three', 4, 5]);
    // Every slot is free again.
    expect(await gate.run(async () => 'after')).toBe('after');
  });
});
