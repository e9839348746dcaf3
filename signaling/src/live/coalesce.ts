/**
 * Runs `fn(key)` soon after `schedule(key)`, at most once per `ms` per key: a burst of changes to
 * one booth's line becomes one recomputation, never a storm. At most one run per key is in flight:
 * a change scheduled while one runs is picked up by one more run after it ends (and `ms` after it
 * started, at the earliest), so when a run takes longer than `ms` (a long line on a busy node),
 * runs never pile up on top of each other; they space themselves out instead.
 */
export function coalescer(fn: (key: string) => Promise<void> | void, ms: number, onError: (err: unknown) => void) {
  const pending = new Set<string>();
  const running = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const later = (key: string, delay: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run(key);
    }, delay);
    timer.unref();
    timers.add(timer);
  };
  const run = (key: string) => {
    if (closed) return;
    pending.delete(key);
    running.add(key);
    const started = Date.now();
    Promise.resolve()
      .then(() => fn(key))
      .catch(onError)
      .finally(() => {
        running.delete(key);
        // Changes arrived during the run: one more, no sooner than `ms` after this one started.
        if (pending.has(key)) later(key, Math.max(0, ms - (Date.now() - started)));
      });
  };
  return {
    schedule(key: string): void {
      if (closed || pending.has(key)) return;
      pending.add(key);
      if (!running.has(key)) later(key, ms);
    },
    close(): void {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pending.clear();
    },
  };
}
