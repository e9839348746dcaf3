import type { AudienceLedgerPort } from './broadcast-audience.ts';

/** The ledger's writes this batcher gathers; the others pass straight through. */
export interface BatchableLedger extends AudienceLedgerPort {
  watchingMany(broadcastId: string, identities: readonly string[]): Promise<void>;
}

interface Pending {
  identities: string[];
  /** The highest live count asked to raise the peak to, or 0. */
  peak: number;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

/**
 * Group commit for a broadcast's join writes. A join storm sends thousands of `watching` and
 * `raisePeak` writes for one broadcast within seconds; one statement each queued them behind the
 * database pool, every `raisePeak` waiting for the one before on the same peak row. Here the writes
 * that arrive while a broadcast's previous batch is being written are gathered and written together:
 * one multi-row upsert of the views and one peak raise to the batch's highest count. A lone write
 * goes out at once (no added wait when it is quiet), and each caller's promise settles when its own
 * write is in the database, so a join is acked, and a leave's `stopped` follows it, as before.
 *
 * The numbers are the same as writing one by one: `watchingMany` gives each identity what
 * `watching` would, and a peak raised to the highest of several counts is the peak raising to each
 * of them would leave.
 */
export function batchLedger(ledger: BatchableLedger): AudienceLedgerPort {
  const pending = new Map<string, Pending>();
  const writing = new Set<string>();

  const flush = (broadcastId: string) => {
    const batch = pending.get(broadcastId);
    if (!batch || writing.has(broadcastId)) return;
    pending.delete(broadcastId);
    writing.add(broadcastId);
    void Promise.all([
      batch.identities.length ? ledger.watchingMany(broadcastId, batch.identities) : undefined,
      batch.peak > 0 ? ledger.raisePeak(broadcastId, batch.peak) : undefined,
    ])
      .then(
        () => batch.waiters.forEach((w) => w.resolve()),
        (err: unknown) => batch.waiters.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        writing.delete(broadcastId);
        // What arrived meanwhile goes out now, as one batch.
        flush(broadcastId);
      });
  };

  const enqueue = (broadcastId: string, add: (batch: Pending) => void) =>
    new Promise<void>((resolve, reject) => {
      let batch = pending.get(broadcastId);
      if (!batch) pending.set(broadcastId, (batch = { identities: [], peak: 0, waiters: [] }));
      add(batch);
      batch.waiters.push({ resolve, reject });
      // After this round of I/O callbacks, so the joins read from the sockets in it share the batch.
      if (!writing.has(broadcastId)) setImmediate(() => flush(broadcastId));
    });

  return {
    watching: (broadcastId, identity) => enqueue(broadcastId, (b) => void b.identities.push(identity)),
    raisePeak: (broadcastId, live) => enqueue(broadcastId, (b) => void (b.peak = Math.max(b.peak, live))),
    stopped: (broadcastId, identity) => ledger.stopped(broadcastId, identity),
    sample: (broadcastId, live) => ledger.sample(broadcastId, live),
  };
}
