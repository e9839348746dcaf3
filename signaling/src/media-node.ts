import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createMediaServer, MediaError, type MediaEvents, type MediaServer } from '@fairground/media-server';
import type { Config } from './config.ts';
import { getLogger } from './logger.ts';
import { closeRedis, connectRedis } from './app/redis.ts';
import { mediaServerOptions } from './app/media-options.ts';
import { NodeMessages, type NodeMessage } from './app/node-messages.ts';
import { answerMediaCall, callRoom, mediaCallSchema, type MediaEventMessage } from './app/media-calls.ts';
import { healthHandler } from './http/health.ts';
import { createMetrics } from './http/metrics.ts';
import { apiCsp, metricsGuard, securityHeaders } from './http/security-headers.ts';
import { RedisNodeRegistry } from './stores/redis-nodes.ts';
import { RedisMediaNodes } from './stores/redis-media-nodes.ts';
import { RedisRoomOrigins } from './stores/redis-room-origins.ts';
import { RedisMediaRegistry } from './stores/redis-media-registry.ts';
import { createMediaCluster } from './live/media-cluster.ts';

export interface MediaNode {
  nodeId: string;
  media: MediaServer;
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** The events a media node tells signaling nodes (pipe events go to the media node at the other end). */
const RELAYED = ['producer-closed', 'producer-paused', 'producer-resumed', 'consumer-closed', 'room-reset', 'room-closed'] as const;

/**
 * A media-only node (NODE_ROLES=media): mediasoup workers, answering the media calls of signaling
 * nodes (app/media-calls.ts) over the node-to-node requests on Redis, and telling the signaling
 * node each peer came from what happens to that peer's media. It lists itself (its announced
 * address and load) and beats; when it dies, the signaling nodes reset its rooms and place them
 * on a live media node. Over HTTP it serves /healthz and /metrics only: no pages, no Socket.IO.
 *
 * A broadcast's viewers may be placed on another media node than their room's (an edge, see
 * live/remote-media.ts): the signaling node then asks both media nodes for the pipe messages of
 * `bringProducer` (`{ type: 'media' }`, answered by `MediaServer.request`), and the two media nodes
 * tell each other what only RTP does not carry (a producer paused or closed at the origin, a pipe
 * end closed) directly, as nodes of both roles do. A dead node's imports close on `node-gone`.
 */
export async function createMediaNode(config: Config): Promise<MediaNode> {
  if (!config.REDIS_URL) throw new Error('A media-only node needs REDIS_URL');
  const log = getLogger('media-node');
  const prefix = config.REDIS_PREFIX;
  const nodeId = `${config.NODE_ID}-${randomBytes(4).toString('hex')}`;
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
  };
  try {
    const media = await createMediaServer(mediaServerOptions(config));
    closers.push(() => media.close());
    const clients = await connectRedis(config.REDIS_URL, log);
    closers.push(
      () => closeRedis(clients.redis),
      () => closeRedis(clients.sub),
    );
    const { redis, sub } = clients;
    // No layout held or checked: a media node serves split signaling nodes and nodes of both roles alike.
    const registry = new RedisNodeRegistry(redis, `${prefix}:nodes`);
    const directory = new RedisMediaNodes(redis, `${prefix}:media-nodes`);
    // Which media node serves each room (signaling nodes claim it; this node gives it up when the room closes).
    const placements = new RedisRoomOrigins(redis, `${prefix}:media-room`);

    /** The signaling node each peer's calls came from ("roomId peerId"), where its events go. */
    const peers = new Map<string, string>();
    const key = (roomId: string, peerId: string) => `${roomId} ${peerId}`;

    /** Dead nodes: their producers imported here closed with them, and nobody else tells the room. */
    const dead = new Set<string>();

    const answer = async (body: NodeMessage, from: string): Promise<unknown> => {
      // A pipe message: from a signaling node piping a producer to an edge, or from the media node
      // at the other end of a pipe (an export's pause or close, an end that closed).
      if (body.type === 'media') return media.request(body.request);
      if (body.type === 'node-gone') {
        dead.add(body.node);
        const { closed } = await media.closeImportsFrom({ node: body.node });
        if (closed > 0) log.warn({ node: body.node, closed }, 'closed producers imported from a dead media node');
        return null;
      }
      if (body.type !== 'media-call') return null;
      const parsed = mediaCallSchema.safeParse(body.call);
      if (!parsed.success) throw new MediaError('MEDIA_REJECTED', 'Malformed media call');
      const call = parsed.data;
      const at = callRoom(call);
      if (at?.peerId && call.method !== 'closePeer') peers.set(key(at.roomId, at.peerId), from);
      if (call.method === 'consume') {
        // Published on a node of both roles: brought here first (once; a split deployment's
        // signaling node pipes it from the room's media node itself, and it is here already).
        const info = await media.roomInfo(call.args[0]);
        if (info) await cluster.ensureLocal({ kind: info.kind, id: call.args[0] }, call.args[3]);
      }
      const result = await answerMediaCall(media, call);
      if (call.method === 'closePeer' && at?.peerId) peers.delete(key(at.roomId, at.peerId));
      // A room that closed while a signaling node placed a new peer in it is this node's again.
      if (call.method === 'createTransport' && at)
        placements.claim(at.roomId, nodeId).catch((err: unknown) => log.warn({ err: String(err), roomId: at.roomId }, 'claiming a room failed'));
      return result;
    };
    const messages = new NodeMessages({
      redis,
      sub,
      prefix: `${prefix}:node`,
      nodeId,
      timeoutMs: config.NODE_REQUEST_TIMEOUT_MS,
      handle: answer,
      log: getLogger('media-node:messages'),
    });

    const tell = (to: string | undefined, event: MediaEventMessage) => {
      if (to) messages.tell(to, { type: 'media-event', event });
    };
    // Where producers were published (nodes of both roles list theirs), so a viewer placed here as
    // an edge by one of them consumes a producer brought from its node; and the pipe events: only
    // RTP crosses a pipe, so what the origin says about an exported producer and an end that closed
    // go straight to the node at the other end (the cluster relays them).
    const cluster = createMediaCluster({
      nodeId,
      media,
      registry: new RedisMediaRegistry(redis, `${prefix}:media`),
      channel: {
        request: (to, request) => messages.request(to, { type: 'media', request }),
        tell: (to, request) => messages.tell(to, { type: 'media', request }),
      },
      log: getLogger('media-node:cluster'),
    });
    // Answering starts once everything an answer uses exists.
    await messages.start();
    closers.push(() => messages.stop());
    const nodesIn = (roomId: string) => new Set([...peers].filter(([k]) => k.startsWith(`${roomId} `)).map(([, node]) => node));
    for (const name of RELAYED) {
      media.on(name, (payload: MediaEvents[typeof name][0]) => {
        if (name === 'room-reset') {
          const reset = payload as MediaEvents['room-reset'][0];
          const byNode = new Map<string, string[]>();
          for (const peerId of reset.peerIds) {
            const node = peers.get(key(reset.roomId, peerId));
            if (node) byNode.set(node, [...(byNode.get(node) ?? []), peerId]);
          }
          for (const [node, peerIds] of byNode) tell(node, { name, payload: { ...reset, peerIds } });
        } else if (name === 'room-closed') {
          const closed = payload as MediaEvents['room-closed'][0];
          for (const node of nodesIn(closed.roomId)) tell(node, { name, payload: closed });
          for (const k of [...peers.keys()]) if (k.startsWith(`${closed.roomId} `)) peers.delete(k);
          placements.release(closed.roomId, nodeId).catch((err: unknown) => log.warn({ err: String(err), roomId: closed.roomId }, 'giving up a room failed'));
        } else {
          const e = payload as { roomId: string; peerId: string; producerId?: string; consumerId?: string };
          const { fromNode: imported, ...plain } = e as typeof e & { fromNode?: string };
          // An import's producer is its origin's to tell about (its publisher's calls came there),
          // unless the origin died: then the room hears of it from here, through the signaling
          // nodes of this node's viewers (each tells the room; a page drops a closed producer once).
          if (imported !== undefined && name === 'producer-closed' && dead.has(imported)) {
            for (const node of nodesIn(e.roomId)) tell(node, { name, payload: plain } as MediaEventMessage);
            return;
          }
          if (imported !== undefined && name !== 'consumer-closed') return;
          tell(peers.get(key(e.roomId, e.peerId)), { name, payload: plain } as MediaEventMessage);
        }
      });
    }

    // The beat: alive for the signaling nodes (their sweep resets this node's rooms when it stops),
    // listed with its load, and the peers of signaling nodes that died closed here.
    const ip = config.MEDIA_ANNOUNCED_IP ?? config.MEDIA_LISTEN_IP;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let failing = false;
    const beat = async () => {
      try {
        await registry.beat(nodeId, config.NODE_TTL_MS);
        const stats = await media.stats();
        await directory.put({ node: nodeId, ip, load: stats.transports, at: Date.now() });
        for (const node of new Set(peers.values())) {
          if (await registry.isAlive(node)) continue;
          const theirs = [...peers].filter(([, n]) => n === node).map(([k]) => k);
          for (const k of theirs) {
            const [roomId, peerId] = k.split(' ') as [string, string];
            peers.delete(k);
            await media.closePeer(roomId, peerId);
          }
          log.warn({ node, peers: theirs.length }, 'closed the media of a dead signaling node’s peers');
        }
        if (failing) log.info('heartbeat resumed');
        failing = false;
      } catch (err) {
        if (!failing) log.warn({ err: String(err) }, 'heartbeat failed');
        failing = true;
      }
    };
    const loop = () => {
      if (stopped) return;
      timer = setTimeout(() => void beat().finally(loop), config.NODE_HEARTBEAT_MS);
      timer.unref();
    };
    await beat();
    loop();
    // A stop (SIGTERM): out of the directory and its placements first, so nothing new lands here;
    // then every peer is told to join again (the room-reset a crash gives them only once the
    // heartbeat expired), and they land on a live media node at once.
    closers.push(async () => {
      stopped = true;
      clearTimeout(timer);
      await directory.remove(nodeId);
      await placements.dropNode(nodeId);
      const byRoom = new Map<string, Map<string, string[]>>();
      for (const [k, node] of peers) {
        const [roomId, peerId] = k.split(' ') as [string, string];
        const nodes = byRoom.get(roomId) ?? new Map<string, string[]>();
        nodes.set(node, [...(nodes.get(node) ?? []), peerId]);
        byRoom.set(roomId, nodes);
      }
      for (const [roomId, nodes] of byRoom) {
        const info = await media.roomInfo(roomId);
        if (!info) continue;
        for (const [node, peerIds] of nodes) tell(node, { name: 'room-reset', payload: { roomId, kind: info.kind, scope: 'room', peerIds } });
      }
      if (byRoom.size > 0) log.info({ rooms: byRoom.size }, 'stopping: told the peers of every room to join again');
    });

    const app = express();
    app.disable('x-powered-by');
    app.use(securityHeaders({ https: false }));
    const metrics = createMetrics({ sockets: () => 0, media: () => media.stats(), workerUsage: () => media.workerUsage() });
    app.get(
      '/healthz',
      apiCsp,
      healthHandler(
        {
          media: async () => {
            const s = await media.stats();
            return s.workersAlive === s.workers && s.workers > 0;
          },
          // Not soft here: without Redis no signaling node can reach this node.
          redis: async () => (await redis.ping()) === 'PONG',
        },
        [],
      ),
    );
    app.get('/metrics', apiCsp, metricsGuard(config.METRICS_TOKEN), metrics.handler);
    app.use((_req, res) => void res.status(404).json({ error: 'A media node serves /healthz and /metrics only' }));
    const http = createServer(app);
    closers.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    log.info({ nodeId, ip }, 'media node started');

    return {
      nodeId,
      media,
      listen: () =>
        new Promise((resolve, reject) => {
          http.once('error', reject);
          http.listen(config.PORT, config.HOST, () => resolve(http.address() as AddressInfo));
        }),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
