import { ServiceError } from './errors.ts';
import type { PresenceStore } from './presence.ts';

/** A viewer by their connection (`peer`) and display name. */
export interface StagePerson {
  peer: string;
  name: string;
}

export interface StageState {
  broadcastId: string;
  hands: StagePerson[];
  guests: StagePerson[];
}

/** Guests on stage at once, besides the hosts. */
export const MAX_STAGE_GUESTS = 3;

const handsRoom = (broadcastId: string) => `hands:${broadcastId}`;
const stageRoom = (broadcastId: string) => `stage:${broadcastId}`;
/** The broadcast whose raised hands or stage a presence room holds, or null for any other room. */
export const broadcastOfStageRoom = (roomId: string): string | null => /^(?:hands|stage):(.+)$/.exec(roomId)?.[1] ?? null;
const member = (p: StagePerson) => JSON.stringify([p.peer, p.name]);
const person = (m: string): StagePerson => {
  const [peer, name] = JSON.parse(m) as [string, string];
  return { peer, name };
};

/**
 * Raised hands and the stage of a broadcast, kept in the shared presence store so every node sees
 * the same. A viewer raises a hand; a host brings them on stage (at most three guests), and they
 * may publish until a host sends them back or they leave. Knows nothing of sockets.
 */
export class BroadcastStage {
  constructor(private readonly presence: PresenceStore) {}

  async #find(room: string, peer: string): Promise<StagePerson | undefined> {
    return (await this.presence.members(room)).map(person).find((p) => p.peer === peer);
  }

  async state(broadcastId: string): Promise<StageState> {
    const [hands, guests] = await Promise.all([this.presence.members(handsRoom(broadcastId)), this.presence.members(stageRoom(broadcastId))]);
    const seated = new Set(guests.map((g) => person(g).peer));
    // A guest has no raised hand (a hand written back after a Redis restart may linger beside the seat).
    return { broadcastId, hands: hands.map(person).filter((h) => !seated.has(h.peer)), guests: guests.map(person) };
  }

  async setHand(broadcastId: string, who: StagePerson, raised: boolean): Promise<void> {
    if (raised && (await this.isGuest(broadcastId, who.peer))) return;
    if (raised) await this.presence.add(handsRoom(broadcastId), member(who), who.peer);
    else await this.presence.remove(handsRoom(broadcastId), member(who), who.peer);
  }

  async invite(broadcastId: string, peer: string): Promise<StagePerson> {
    const hand = await this.#find(handsRoom(broadcastId), peer);
    if (!hand) throw new ServiceError('NOT_FOUND', 'That viewer has not raised a hand (or has left)');
    // One atomic check-and-add (a Lua script with Redis): hosts on two nodes inviting at once
    // cannot seat a fourth guest.
    if (!(await this.presence.addWithin(stageRoom(broadcastId), member(hand), peer, MAX_STAGE_GUESTS))) {
      throw new ServiceError('CONFLICT', `The stage is full (${MAX_STAGE_GUESTS} guests); send someone back first`);
    }
    await this.presence.remove(handsRoom(broadcastId), member(hand), peer);
    return hand;
  }

  /** Sends a guest back; true when they were on stage. */
  async remove(broadcastId: string, peer: string): Promise<boolean> {
    const guest = await this.#find(stageRoom(broadcastId), peer);
    if (!guest) return false;
    await this.presence.remove(stageRoom(broadcastId), member(guest), peer);
    return true;
  }

  async isGuest(broadcastId: string, peer: string): Promise<boolean> {
    return (await this.#find(stageRoom(broadcastId), peer)) !== undefined;
  }

  /** The connection left the broadcast: its hand and its place on stage go. */
  async leave(broadcastId: string, peer: string): Promise<boolean> {
    const hand = await this.#find(handsRoom(broadcastId), peer);
    if (hand) await this.presence.remove(handsRoom(broadcastId), member(hand), peer);
    const wasGuest = await this.remove(broadcastId, peer);
    return Boolean(hand) || wasGuest;
  }
}
