/** Runs a task when one of `concurrency` slots is free; tasks wait their turn in arrival order. */
export type Gate = <T>(task: () => Promise<T>) => Promise<T>;

export function createGate(concurrency: number): Gate {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    // A finished task hands its slot straight to the next waiter, so a newcomer cannot overtake.
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
