/**
 * Shares reads of the same key among concurrent callers without ever answering a caller with a
 * read that began before it asked. A caller that comes while a read of its key is running waits
 * for the next one, which then serves everyone who came meanwhile: at most two reads of a key are
 * ever waited on, however many callers (a join storm's thousands of producer listings become a
 * few), and each answer is as fresh as a read of the caller's own. That matters where the caller
 * acted first and then reads (a viewer joins the room, then lists its producers: a producer added
 * after the join is pushed to it, one added before must be in the list).
 */
export function freshReads<T>(read: (key: string) => Promise<T>) {
  const running = new Map<string, Promise<T>>();
  const next = new Map<string, Promise<T>>();

  const start = (key: string): Promise<T> => {
    const p = read(key).finally(() => {
      if (running.get(key) === p) running.delete(key);
    });
    running.set(key, p);
    return p;
  };

  return (key: string): Promise<T> => {
    const current = running.get(key);
    if (!current) return start(key);
    let queued = next.get(key);
    if (!queued) {
      // Begins once the running read settled (whatever its outcome), for everyone queued by then.
      queued = current
        .catch(() => undefined)
        .then(() => {
          next.delete(key);
          return start(key);
        });
      next.set(key, queued);
    }
    return queued;
  };
}

/** A value read once and kept; a failed read is tried again by the next caller. */
export function readOnce<T>(read: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | null = null;
  return () =>
    (kept ??= read().catch((err: unknown) => {
      kept = null;
      throw err;
    }));
}
