import { afterEach, describe, expect, it, vi } from 'vitest';
import { startClock, type ClockDeps } from './clock.ts';

function fakes(overrides: Partial<ClockDeps> = {}) {
  const announced: Array<{ id: string; title: string }> = [];
  const log = { error: vi.fn(), debug: vi.fn() };
  const deps: ClockDeps = {
    fairs: { advanceByClock: vi.fn(async () => 0) },
    broadcasts: { announceDue: vi.fn(async () => []) },
    onBroadcastLive: (b) => announced.push(b),
    log,
    intervalMs: 1000,
    now: () => new Date('2025-03-01T01:30:00Z'),
    ...overrides,
  };
  return { deps, announced, log };
}

describe('the clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('moves fairs and announces each due broadcast, with the same "now"', async () => {
    const { deps, announced } = fakes({
      broadcasts: {
        announceDue: vi.fn(async () => [
          { id: 'b1', title: '简历诊断 Resume clinic' },
          { id: 'b2', title: 'Policy Q&A' },
        ]),
      },
    });
    const clock = startClock(deps);
    await clock.tick();
    await clock.stop();
    expect(deps.fairs.advanceByClock).toHaveBeenCalledWith(new Date('2025-03-01T01:30:00Z'));
    expect(deps.broadcasts.announceDue).toHaveBeenCalledWith(new Date('2025-03-01T01:30:00Z'));
    expect(announced).toEqual([
      { id: 'b1', title: '简历诊断 Resume clinic' },
      { id: 'b2', title: 'Policy Q&A' },
    ]);
  });

  it('runs at start and then every interval until stopped', async () => {
    vi.useFakeTimers();
    const { deps } = fakes();
    const clock = startClock(deps);
    await vi.advanceTimersByTimeAsync(0);
    expect(deps.fairs.advanceByClock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(deps.fairs.advanceByClock).toHaveBeenCalledTimes(4);
    await clock.stop();
    await clock.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(deps.fairs.advanceByClock).toHaveBeenCalledTimes(4);
  });

  it('logs failures instead of throwing, and still announces when the fairs step fails', async () => {
    const { deps, announced, log } = fakes({
      fairs: { advanceByClock: vi.fn(async () => Promise.reject(new Error('db down'))) },
      broadcasts: { announceDue: vi.fn(async () => [{ id: 'b1', title: 'Talk' }]) },
    });
    const clock = startClock(deps);
    await expect(clock.tick()).resolves.toBeUndefined();
    expect(announced).toEqual([{ id: 'b1', title: 'Talk' }]);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), 'advancing fairs failed');

    (deps.broadcasts.announceDue as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('db down'));
    await expect(clock.tick()).resolves.toBeUndefined();
    expect(log.error).toHaveBeenCalledWith(expect.anything(), 'finding due broadcasts failed');
    await clock.stop();
  });

  it('keeps going after one listener throws', async () => {
    const seen: string[] = [];
    const { deps, log } = fakes({
      broadcasts: {
        announceDue: vi.fn(async () => [
          { id: 'b1', title: 'a' },
          { id: 'b2', title: 'b' },
        ]),
      },
      onBroadcastLive: (b) => {
        if (b.id === 'b1') throw new Error('emit failed');
        seen.push(b.id);
      },
    });
    const clock = startClock(deps);
    await clock.tick();
    await clock.stop();
    expect(seen).toEqual(['b2']);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ broadcastId: 'b1' }), 'announcing a broadcast failed');
  });

  it('never runs two passes at once when the database is slow', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { deps } = fakes({ fairs: { advanceByClock: vi.fn(async () => (await gate, 0)) } });
    const clock = startClock(deps);
    const a = clock.tick();
    const b = clock.tick();
    expect(a).toBe(b);
    release();
    await a;
    expect(deps.fairs.advanceByClock).toHaveBeenCalledTimes(1);
    await clock.stop();
  });
});
