import { broadcastOfStageRoom } from '@fairground/core';
import type { PresenceEntry, SweptEntry } from '../stores/redis-presence.ts';

/** What a presence change means beyond the count, through narrow ports (no sockets here). */
export interface PresenceEffectsPorts {
  /** A counted room's number changed: push it (coalesced, once a second at most). */
  recount(roomId: string): void;
  ledger: {
    stopped(broadcastId: string, identity: string, at: Date): Promise<void>;
    watching(broadcastId: string, identity: string): Promise<void>;
  };
  queue: {
    markDisconnected(seekerId: string, at: Date): Promise<unknown>;
    markConnected(seekerId: string): Promise<unknown>;
  };
  /** A booth's line or its recruiters on duty changed: push the line. */
  lineChanged(boothId: string): void;
  /** A booth's live numbers changed: tell the fair's dashboard. */
  boothChanged(boothId: string): void;
  /** A broadcast's raised hands or stage changed: tell its hosts. */
  stageChanged(broadcastId: string): Promise<void>;
}

export interface PresenceEffects {
  /** Connections that ended without their handlers running (their node died): the leave paths. */
  gone(entries: SweptEntry[], at: Date): Promise<void>;
  /** This node's connections written back after Redis lost them: the join paths, made idempotent. */
  restored(entries: PresenceEntry[]): Promise<void>;
}

// Room names as in app/rooms.ts: `kind:id`, or `online` for every signed-in connection.
const split = (roomId: string): [string, string] => {
  const at = roomId.indexOf(':');
  return at < 0 ? [roomId, ''] : [roomId.slice(0, at), roomId.slice(at + 1)];
};
const userOf = (identity: string) => (identity.startsWith('user:') ? identity.slice('user:'.length) : null);

/**
 * Replays, for presence that a sweep removed or a restore put back, what the disconnect and join
 * handlers would have done: recounts, the audience ledger (a view ends when its identity's last
 * connection anywhere is gone, at the dead node's last heartbeat, so watch time is neither lost nor
 * counted past the death), the line's grace period, recruiters on duty, the dashboard and the stage.
 * Each effect is idempotent, so a sweep repeated after a crash of the sweeper changes nothing.
 */
export function presenceEffects(ports: PresenceEffectsPorts): PresenceEffects {
  const apply = async (entries: Array<PresenceEntry & { remaining?: number }>, way: 'gone' | 'restored', at: Date) => {
    const recount = new Set<string>();
    const lines = new Set<string>();
    const booths = new Set<string>();
    const stages = new Set<string>();
    const writes: Array<Promise<unknown>> = [];
    for (const entry of entries) {
      const lastOne = way === 'gone' && entry.remaining === 0;
      const [kind, id] = split(entry.roomId);
      const stageOf = broadcastOfStageRoom(entry.roomId);
      if (stageOf) stages.add(stageOf);
      else if (kind === 'booth') {
        recount.add(entry.roomId);
        booths.add(id);
      } else if (kind === 'broadcast') {
        recount.add(entry.roomId);
        if (way === 'restored') writes.push(ports.ledger.watching(id, entry.identity));
        else if (lastOne) writes.push(ports.ledger.stopped(id, entry.identity, at));
      } else if (kind === 'fair') {
        // A visitor's fair entry is `socket|boothId`: the booth whose numbers include them.
        const boothId = entry.connectionId.split('|')[1];
        if (boothId) booths.add(boothId);
      } else if (kind === 'duty') lines.add(id);
      else if (kind === 'online') {
        const seekerId = userOf(entry.identity);
        if (seekerId && way === 'restored') writes.push(ports.queue.markConnected(seekerId));
        else if (seekerId && lastOne) writes.push(ports.queue.markDisconnected(seekerId, at));
      }
      // interview:* (who is in the room, for its start) and sockets:* (connection caps) need no more.
    }
    const results = await Promise.allSettled([...writes, ...[...stages].map((b) => ports.stageChanged(b))]);
    for (const roomId of recount) ports.recount(roomId);
    for (const boothId of lines) ports.lineChanged(boothId);
    for (const boothId of booths) ports.boothChanged(boothId);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  };
  return {
    gone: (entries, at) => apply(entries, 'gone', at),
    restored: (entries) => apply(entries, 'restored', new Date()),
  };
}
