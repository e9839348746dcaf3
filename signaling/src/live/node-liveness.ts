import type { Logger } from 'pino';
import type { DeadNode } from '../stores/redis-nodes.ts';
import type { PresenceEntry, SweptEntry } from '../stores/redis-presence.ts';
import type { PresenceEffects } from './presence-effects.ts';

/** How often (in beats) entries written for other nodes' sockets that have gone are forgotten. */
const PRUNE_EVERY_BEATS = 60;

export interface NodeLivenessOptions {
  nodeId: string;
  registry: {
    beat(nodeId: string, ttlMs: number): Promise<boolean>;
    isAlive(nodeId: string): Promise<boolean>;
    /** The node's heartbeat key: a sweep of it stops once the key is back. */
    aliveKey(nodeId: string): string;
    dead(self: string): Promise<DeadNode[]>;
    claimSweep(nodeId: string, by: string, ms: number): Promise<boolean>;
    forget(nodeId: string): Promise<void>;
  };
  presence: {
    sweepNode(nodeId: string, fence: string): Promise<{ swept: SweptEntry[]; interrupted: boolean }>;
    restore(): Promise<PresenceEntry[]>;
    restoreTheirs(): Promise<PresenceEntry[]>;
    pruneTheirs(): Promise<void>;
  };
  effects: PresenceEffects;
  /**
   * Media across nodes: `seen` runs on every node that finds a node dead (whoever sweeps it), so
   * what this node imported from it closes; `swept` once, on the survivor that claimed the sweep
   * (its producers unlisted, their rooms told); `restored` when this node's state was lost (its
   * producers listed again). A failure of `seen` or `swept` is logged; the presence sweep goes on.
   */
  media?: { seen(nodeId: string): Promise<unknown>; swept(dead: DeadNode): Promise<unknown>; restored(): Promise<unknown> } | undefined;
  /** How often this node beats and looks for dead nodes. */
  heartbeatMs: number;
  /** A node whose last beat is older than this is dead. */
  ttlMs: number;
  log: Logger;
}

/**
 * This node's heartbeat, and the sweep of dead nodes by a survivor. Presence in Redis is owned by
 * the node whose sockets it names; when a node stops beating (SIGKILL, a crash, a lost machine),
 * one survivor claims it, removes everything its sockets held and replays the leave paths (counts,
 * views, recruiters on duty, the seekers' grace period). When this node's own beat finds its key
 * gone (Redis restarted empty, or this node stalled and was swept), it writes its live connections'
 * presence back and replays the join paths.
 *
 * The beat runs on its own timer, never behind this node's sweeps and restores: those take
 * thousands of Redis round trips after a storm's node stalled, and a beat waiting for them let this
 * node's key expire too, so the two nodes swept each other while each restored itself (issue 13).
 * And a sweep stops, in Redis, as soon as the swept node beats again (`sweepNode`'s fence): a node
 * that only stalled restores what the sweep removed before its beat, and nothing after it.
 */
export function startNodeLiveness(options: NodeLivenessOptions): { stop(): void; tick(): Promise<void> } {
  const { nodeId, registry, presence, effects, log } = options;
  let beaten = false;
  let beats = 0;
  /** Raised each time a beat found this node's key gone; `restoredUpTo` catches up once presence is written back. */
  let lostCount = 0;
  let restoredUpTo = 0;
  /** When to write back and recount once more after a restore (see below). */
  let settleAt = 0;
  let stopped = false;
  const timers: { beat?: NodeJS.Timeout; work?: NodeJS.Timeout } = {};
  let failing = false;

  const sweep = async (dead: DeadNode) => {
    // Long enough for the sweep to finish; should the sweeper die too, another takes over after it.
    if (!(await registry.claimSweep(dead.nodeId, nodeId, options.ttlMs * 6))) return;
    const { swept, interrupted } = await presence.sweepNode(dead.nodeId, registry.aliveKey(dead.nodeId));
    if (interrupted) {
      // It only stalled: it beat again, restores what was removed and replays the join paths itself
      // (recounts included). The leave paths of what was removed are not played: nobody left.
      log.warn({ node: dead.nodeId, entries: swept.length }, 'a node taken for dead beat again during its sweep: sweep stopped');
      return;
    }
    await options.media?.swept(dead).catch((err: unknown) => log.warn({ err: String(err), node: dead.nodeId }, 'sweeping a dead node’s media failed'));
    await effects.gone(swept, dead.lastSeen);
    await registry.forget(dead.nodeId);
    log.warn({ node: dead.nodeId, lastSeen: dead.lastSeen.toISOString(), entries: swept.length }, 'swept a dead node');
  };

  const beat = async () => {
    const wasAlive = await registry.beat(nodeId, options.ttlMs);
    if (!wasAlive && beaten) lostCount++;
    beaten = true;
  };

  /** What a beat may lead to: writing this node's presence back, pruning, sweeping the dead. */
  const work = async () => {
    if (++beats % PRUNE_EVERY_BEATS === 0) await presence.pruneTheirs();
    const lost = lostCount > restoredUpTo;
    if (lost || (settleAt > 0 && Date.now() >= settleAt)) {
      const upTo = lostCount;
      // The second time, also what this node wrote for other nodes' live sockets (stage seats).
      const entries = lost ? await presence.restore() : [...(await presence.restore()), ...(await presence.restoreTheirs())];
      await effects.restored(entries);
      await options.media?.restored();
      if (lost) log.warn({ entries: entries.length }, 'presence was lost (Redis restarted, or this node stalled): restored from live connections');
      // Once more a few beats later: the other nodes restore in their own time, and a count this
      // node pushed before theirs was back may have missed nodes whose subscriptions were not
      // yet renewed. The second push reads the store when everyone is back.
      settleAt = lost ? Date.now() + 3 * options.heartbeatMs : 0;
      // A beat that found the key gone again meanwhile leaves this behind, for the next round.
      restoredUpTo = upTo;
    }
    for (const dead of await registry.dead(nodeId)) {
      await options.media?.seen(dead.nodeId).catch((err: unknown) => log.warn({ err: String(err), node: dead.nodeId }, 'closing a dead node’s media failed'));
      await sweep(dead);
    }
  };

  const guarded = async (task: () => Promise<void>) => {
    try {
      await task();
      if (failing) log.info('heartbeat resumed');
      failing = false;
    } catch (err) {
      // Redis unreachable: this node goes on serving its own clients and catches up when it is back.
      if (!failing) log.warn({ err: String(err) }, 'heartbeat failed');
      failing = true;
    }
  };

  // Each loop waits for its own previous round only; the beat never waits for the work.
  const every = (name: 'beat' | 'work', task: () => Promise<void>) => {
    const next = () => {
      if (stopped) return;
      const timer = setTimeout(() => void guarded(task).finally(next), options.heartbeatMs);
      timer.unref();
      timers[name] = timer;
    };
    return next;
  };
  void guarded(beat).then(async () => {
    if (stopped) return;
    every('beat', beat)();
    await guarded(work);
    every('work', work)();
  });

  return {
    /** One beat, then what it leads to (tests drive a stopped node with it). */
    tick: () =>
      guarded(async () => {
        await beat();
        await work();
      }),
    stop() {
      stopped = true;
      clearTimeout(timers.beat);
      clearTimeout(timers.work);
    },
  };
}
