import { describe, expect, it } from 'vitest';
import { startOfDay } from './time.ts';

describe('startOfDay', () => {
  it("is midnight on the zone's wall clock, not the server's", () => {
    // 2026-11-27T20:30Z is already 04:30 on the 28th in Shanghai (UTC+8).
    expect(startOfDay(new Date('2026-11-27T20:30:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-11-27T16:00:00.000Z');
    expect(startOfDay(new Date('2026-11-27T20:30:00Z'), 'UTC').toISOString()).toBe('2026-11-27T00:00:00.000Z');
    expect(startOfDay(new Date('2026-11-27T20:30:00Z'), 'America/New_York').toISOString()).toBe('2026-11-27T05:00:00.000Z');
  });

  it('handles a day that starts after a daylight-saving change', () => {
    // Clocks in New York went back on 2026-11-01 at 02:00; that day began at 04:00Z (EDT).
    expect(startOfDay(new Date('2026-11-01T18:00:00Z'), 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
  });
});
