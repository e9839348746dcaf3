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
    dead(self: string): Promise<DeadNode[]>;
    claimSweep(nodeId: string, by: string, ms: number): Promise<boolean>;
    forget(nodeId: string): Promise<void>;
  };
  presence: {
    nodeSockets(nodeId: string): Promise<string[]>;
    sweepSockets(socketIds: string[]): Promise<SweptEntry[]>;
    forgetNode(nodeId: string): Promise<void>;
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
 */
export function startNodeLiveness(options: NodeLivenessOptions): { stop(): void; tick(): Promise<void> } {
  const { nodeId, registry, presence, effects, log } = options;
  let beaten = false;
  let beats = 0;
  /** Set when the beat found this node's key gone; cleared once presence was written back. */
  let lost = false;
  /** When to write back and recount once more after a restore (see below). */
  let settleAt = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  const sweep = async (dead: DeadNode) => {
    // Long enough for the sweep to finish; should the sweeper die too, another takes over after it.
    if (!(await registry.claimSweep(dead.nodeId, nodeId, options.ttlMs * 6))) return;
    await options.media?.swept(dead).catch((err: unknown) => log.warn({ err: String(err), node: dead.nodeId }, 'sweeping a dead node’s media failed'));
    const sockets = await presence.nodeSockets(dead.nodeId);
    const swept = await presence.sweepSockets(sockets);
    await effects.gone(swept, dead.lastSeen);
    await presence.forgetNode(dead.nodeId);
    await registry.forget(dead.nodeId);
    log.warn({ node: dead.nodeId, lastSeen: dead.lastSeen.toISOString(), sockets: sockets.length, entries: swept.length }, 'swept a dead node');
  };

  const tick = async () => {
    try {
      const wasAlive = await registry.beat(nodeId, options.ttlMs);
      if (!wasAlive && beaten) lost = true;
      beaten = true;
      if (++beats % PRUNE_EVERY_BEATS === 0) await presence.pruneTheirs();
      if (lost || (settleAt > 0 && Date.now() >= settleAt)) {
        // The second time, also what this node wrote for other nodes' live sockets (stage seats).
        const entries = lost ? await presence.restore() : [...(await presence.restore()), ...(await presence.restoreTheirs())];
        await effects.restored(entries);
        await options.media?.restored();
        if (lost) log.warn({ entries: entries.length }, 'presence was lost (Redis restarted, or this node stalled): restored from live connections');
        // Once more a few beats later: the other nodes restore in their own time, and a count this
        // node pushed before theirs was back may have missed nodes whose subscriptions were not
        // yet renewed. The second push reads the store when everyone is back.
        settleAt = lost ? Date.now() + 3 * options.heartbeatMs : 0;
        lost = false;
      }
      for (const dead of await registry.dead(nodeId)) {
        await options.media?.seen(dead.nodeId).catch((err: unknown) => log.warn({ err: String(err), node: dead.nodeId }, 'closing a dead node’s media failed'));
        await sweep(dead);
      }
      if (failing) log.info('heartbeat resumed');
      failing = false;
    } catch (err) {
      // Redis unreachable: this node goes on serving its own clients and catches up when it is back.
      if (!failing) log.warn({ err: String(err) }, 'heartbeat failed');
      failing = true;
    }
  };

  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(loop), options.heartbeatMs);
    timer.unref();
  };
  void tick().finally(loop);

  return {
    tick,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
