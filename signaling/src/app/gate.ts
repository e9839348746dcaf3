/** Runs tasks when one of `concurrency` slots is free; tasks wait their turn in arrival order. */
export interface Gate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks waiting for a slot (they hold nothing yet: no database connection, no round trip). */
  readonly waiting: number;
}

export function createGate(concurrency: number): Gate {
  let running = 0;
  const queue: Array<() => void> = [];
  return {
    async run(task) {
      // A finished task hands its slot straight to the next waiter, so a newcomer cannot overtake.
      if (running >= concurrency) await new Promise<void>((resolve) => queue.push(resolve));
      else running++;
      try {
        return await task();
      } finally {
        const next = queue.shift();
        if (next) next();
        else running--;
      }
    },
    get waiting() {
      return queue.length;
    },
  };
}
