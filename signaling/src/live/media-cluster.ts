import type { Logger } from 'pino';
import {
  bringProducer,
  pipeEventRequest,
  type MediaServer,
  type PipeNode,
  type PipeRequest,
  type PipeResponses,
  type ProducerInfo,
  type RoomRef,
} from '@fairground/media-server';
import type { RegisteredProducer } from '../stores/redis-media-registry.ts';
import type { MediaEventSource } from '../app/media-calls.ts';

/** Where producers are (stores/redis-media-registry.ts). */
export interface MediaRegistryPort {
  add(p: RegisteredProducer): Promise<void>;
  remove(p: Pick<RegisteredProducer, 'roomId' | 'id' | 'node'>): Promise<void>;
  room(roomId: string): Promise<RegisteredProducer[]>;
  find(roomId: string, producerId: string): Promise<RegisteredProducer | null>;
  dropNode(node: string): Promise<RegisteredProducer[]>;
}

/** Which node owns each room's origin (stores/redis-room-origins.ts). */
export interface RoomOriginsPort {
  claim(roomId: string, node: string): Promise<string>;
  release(roomId: string, node: string): Promise<void>;
  dropNode(node: string): Promise<string[]>;
}

/** How this node reaches another node's media server (app/node-messages.ts). */
export interface NodeChannel {
  request(to: string, request: PipeRequest): Promise<unknown>;
  tell(to: string, request: PipeRequest): void;
}

type Media = Pick<MediaServer, 'producers' | 'request' | 'closeImportsFrom'> & MediaEventSource;

/**
 * Media across nodes, as signaling sees it: which producers a room has on every node, bringing a
 * producer from its node when a viewer here asks for it, and forgetting a dead node's. Without
 * Redis (one node) it is the media server's own list and nothing is ever brought.
 */
export interface MediaCluster {
  /** Every producer live in the room: this node's (imports included) and, with Redis, every node's. */
  producers(roomId: string): Promise<ProducerInfo[]>;
  /** Makes a producer of the room consumable here: brings it from its node when it is elsewhere. */
  ensureLocal(room: RoomRef, producerId: string): Promise<void>;
  /** A producer was made here: listed for every node (before anyone is told of it). */
  published(roomId: string, p: { id: string; peerId: string; kind: 'audio' | 'video'; source: string; userId?: string }): Promise<void>;
  /** A producer closed here; false when it was an import (its origin, or the sweep, tells the room). */
  closed(e: { roomId: string; producerId: string; fromNode?: string | undefined }): boolean;
  /**
   * On the survivor that sweeps a dead node: its producers, no longer listed (their rooms are
   * told), and the origins it owned, freed for the next claim.
   */
  sweep(node: string): Promise<RegisteredProducer[]>;
  /**
   * On every node: a node is gone, so whatever came from it closes (its viewers here are told),
   * and the rooms whose publishers are here now claim their origin (a host that reconnected here
   * before the dead node was swept published while the claim was still the dead node's).
   */
  gone(node: string): Promise<number>;
  /** The rooms whose origin this node owns now (for /metrics). */
  origins(): number;
  /** A pipe message from another node, answered by this node's media server. */
  answer(request: PipeRequest): Promise<unknown>;
  /** Redis lost its state (a restart): this node's producers are listed again. */
  restore(): Promise<number>;
}

export interface MediaClusterOptions {
  nodeId: string;
  media: Media;
  /** Both null without Redis. */
  registry: MediaRegistryPort | null;
  /** Null without Redis (one node is every room's origin). */
  origins?: RoomOriginsPort | null;
  channel: NodeChannel | null;
  log: Logger;
}

export function createMediaCluster(o: MediaClusterOptions): MediaCluster {
  const { nodeId, media, registry, channel, log } = o;
  /** Brings in flight, so a thousand viewers asking at once for one producer cost one bring. */
  const bringing = new Map<string, Promise<void>>();
  /** This node's producers as listed, so they can be listed again after Redis lost them. */
  const mine = new Map<string, RegisteredProducer>();
  /** Listing failed since the last success: warned once per outage, not once per join. */
  let listingFails = false;
  const origins = o.origins ?? null;
  /** Rooms whose origin this node owns (claimed, not given up). */
  const owned = new Set<string>();
  /** Rooms with producers published here (from `mine`). */
  const publishingRooms = () => new Set([...mine.values()].map((p) => p.roomId));
  /**
   * Claims the room's origin for this node: the first node to publish in a room owns it; another
   * node publishing there too (an interview's two sides on two nodes) keeps its producer listed
   * and piped all the same, and may take the origin over once the owner is gone.
   */
  const claim = async (roomId: string) => {
    if (!origins || owned.has(roomId)) return;
    try {
      const owner = await origins.claim(roomId, nodeId);
      if (owner !== nodeId) return;
      owned.add(roomId);
      log.info({ roomId }, 'claimed the room’s origin');
    } catch (err) {
      log.warn({ err: String(err), roomId }, 'claiming a room’s origin failed');
    }
  };
  const local: PipeNode = { node: nodeId, request: (msg) => media.request(msg) };
  const remote = (node: string): PipeNode => ({
    node,
    request: async <T extends PipeRequest['type']>(msg: Extract<PipeRequest, { type: T }>) => (await channel!.request(node, msg)) as PipeResponses[T],
  });

  if (channel) {
    // Only RTP crosses a pipe: what the origin says about an exported producer, and an end that
    // closed, go to the node concerned as the message it answers (media-server's pipeEventRequest).
    media.on('pipe-export', (e) => {
      const { to, request } = pipeEventRequest(nodeId, 'pipe-export', e);
      channel.tell(to, request);
    });
    media.on('pipe-closed', (e) => {
      const { to, request } = pipeEventRequest(nodeId, 'pipe-closed', e);
      channel.tell(to, request);
    });
  }

  const bring = async (room: RoomRef, producerId: string) => {
    const entry = await registry!.find(room.id, producerId);
    // Not listed, or listed here: consume answers as it always did (PRODUCER_NOT_FOUND).
    if (!entry || entry.node === nodeId) return;
    const started = performance.now();
    await bringProducer(remote(entry.node), local, room, producerId);
    log.info({ roomId: room.id, producerId, from: entry.node, ms: Math.round(performance.now() - started) }, 'brought a producer from another node');
  };

  return {
    async producers(roomId) {
      const here = await media.producers(roomId);
      if (!registry) return here;
      let listed: RegisteredProducer[];
      try {
        listed = await registry.room(roomId);
        listingFails = false;
      } catch (err) {
        // Redis away: this node's own producers are still worth showing.
        if (!listingFails) log.warn({ err: String(err), roomId }, 'listing producers of other nodes failed; listing this node’s own');
        listingFails = true;
        return here;
      }
      const ids = new Set(here.map((p) => p.id));
      const others = listed
        .filter((p) => p.node !== nodeId && !ids.has(p.id))
        .map((p) => ({ id: p.id, peerId: p.peerId, kind: p.kind, appData: { source: p.source, ...(p.userId ? { userId: p.userId } : {}) } }));
      return [...here, ...others];
    },

    async ensureLocal(room, producerId) {
      if (!registry || !channel) return;
      if ((await media.producers(room.id)).some((p) => p.id === producerId)) return;
      const key = `${room.id} ${producerId}`;
      let pending = bringing.get(key);
      if (!pending) {
        pending = bring(room, producerId).finally(() => bringing.delete(key));
        bringing.set(key, pending);
      }
      await pending;
    },

    async published(roomId, p) {
      if (!registry) return;
      const entry = { roomId, node: nodeId, ...p };
      mine.set(`${roomId} ${p.id}`, entry);
      // A node that cannot write it still serves its own viewers; others see it once Redis is
      // back and this node's beat finds its state gone (restore).
      await registry.add(entry).catch((err: unknown) => log.warn({ err: String(err), roomId, producerId: p.id }, 'listing a producer for other nodes failed'));
      await claim(roomId);
    },

    closed({ roomId, producerId, fromNode }) {
      if (fromNode !== undefined) return false;
      mine.delete(`${roomId} ${producerId}`);
      registry
        ?.remove({ roomId, id: producerId, node: nodeId })
        .catch((err: unknown) => log.warn({ err: String(err), roomId, producerId }, 'unlisting a producer failed'));
      // The room's last publisher here left: the origin is free for wherever publishing resumes.
      if (owned.has(roomId) && !publishingRooms().has(roomId)) {
        owned.delete(roomId);
        origins?.release(roomId, nodeId).catch((err: unknown) => log.warn({ err: String(err), roomId }, 'giving up a room’s origin failed'));
      }
      return true;
    },

    async sweep(node) {
      if (!registry) return [];
      const dropped = await registry.dropNode(node);
      const freed = (await origins?.dropNode(node)) ?? [];
      if (freed.length > 0) log.warn({ node, rooms: freed }, 'freed the room origins of a dead node');
      for (const roomId of freed) if (publishingRooms().has(roomId)) await claim(roomId);
      return dropped;
    },

    async gone(node) {
      const { closed } = await media.closeImportsFrom({ node });
      if (closed > 0) log.warn({ node, closed }, 'closed producers imported from a dead node');
      for (const roomId of publishingRooms()) await claim(roomId);
      return closed;
    },

    origins() {
      return owned.size;
    },

    answer(request) {
      return media.request(request);
    },

    async restore() {
      if (!registry) return 0;
      for (const entry of mine.values()) await registry.add(entry);
      // Redis lost the claims too: claimed again (a node that restored first may own some now).
      owned.clear();
      for (const roomId of publishingRooms()) await claim(roomId);
      return mine.size;
    },
  };
}
