import { describe, expect, it } from 'vitest';
import { coalescer } from './coalesce.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('coalescer', () => {
  it('turns a burst into one run per key', async () => {
    const runs: string[] = [];
    const c = coalescer(
      (k) => void runs.push(k),
      20,
      () => {},
    );
    for (let i = 0; i < 10; i++) c.schedule('a');
    c.schedule('b');
    await sleep(60);
    expect(runs.sort()).toEqual(['a', 'b']);
    c.close();
  });

  it('never runs a key twice at once: changes during a slow run get one more run after it', async () => {
    let inFlight = 0;
    let most = 0;
    let runs = 0;
    const c = coalescer(
      async () => {
        runs++;
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(50);
        inFlight--;
      },
      10,
      () => {},
    );
    c.schedule('a');
    // Keep changing the key for 200 ms, much longer than one run.
    for (let i = 0; i < 40; i++) {
      c.schedule('a');
      await sleep(5);
    }
    await sleep(150);
    expect(most).toBe(1);
    // About one run per 50 ms of changes (not one per change, and the last change is not lost).
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThanOrEqual(6);
    const before = runs;
    c.schedule('a');
    await sleep(100);
    expect(runs).toBe(before + 1);
    c.close();
  });
});
