/**
 * Runs `fn(key)` soon after `schedule(key)`, at most once per `ms` per key: a burst of changes to
 * one booth's line becomes one recomputation, never a storm.
 */
export function coalescer(fn: (key: string) => Promise<void> | void, ms: number, onError: (err: unknown) => void) {
  const pending = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    schedule(key: string): void {
      if (pending.has(key)) return;
      pending.add(key);
      const timer = setTimeout(() => {
        timers.delete(timer);
        pending.delete(key);
        Promise.resolve()
          .then(() => fn(key))
          .catch(onError);
      }, ms);
      timer.unref();
      timers.add(timer);
    },
    close(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pending.clear();
    },
  };
}
