import { describe, expect, it } from 'vitest';
import { tokenBucket } from './handle.ts';

describe('tokenBucket', () => {
  it('allows a burst, refuses a flood, and refills with time', () => {
    let now = 0;
    const bucket = tokenBucket(10, 5, () => now);
    const burst = Array.from({ length: 8 }, () => bucket.take());
    expect(burst.filter(Boolean)).toHaveLength(5);
    now += 500; // half a second at 10/s: five more
    expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5);
  });
});
