import type { Logger } from 'pino';
import type { BroadcastStage, PresenceStore, Services, TurnSettings } from '@fairground/core';
import type { RtpCapabilities } from '@fairground/media-server';
import type { MediaApi } from './media-calls.ts';
import type { ViewerCounter } from '../live/viewer-counter.ts';
import type { MediaCluster } from '../live/media-cluster.ts';
import type { BroadcastAudience } from '../live/broadcast-audience.ts';
import type { QueuePublisher } from '../features/queue/publisher.ts';
import type { Dashboard } from '../features/dashboard/dashboard.ts';
import type { ScreenPublisher } from '../features/screens/publisher.ts';
import type { BroadcastViews } from '../features/broadcasts/views.ts';
import type { BroadcastReads } from '../features/broadcasts/access-cache.ts';
import type { RateLimiter } from './rate-limits.ts';
import type { PollPusher } from '../features/extras/poll-pusher.ts';
import type { AppServer } from './types.ts';

/** What the composition root (server.ts) hands every feature's handlers. */
export interface FeatureDeps {
  io: AppServer;
  services: Services;
  /** The media server: in-process, or the media nodes' (split roles, live/remote-media.ts). */
  media: MediaApi;
  /** Producers of every node (with Redis), and bringing one here from its node to consume it. */
  cluster: MediaCluster;
  presence: PresenceStore;
  viewers: ViewerCounter;
  audience: BroadcastAudience;
  stage: BroadcastStage;
  queue: QueuePublisher;
  dashboard: Dashboard;
  /** Hall and booth screens' pushes (numbers ride on the dashboard's snapshots). */
  screens: ScreenPublisher;
  /** When a broadcast viewer counts (dwell and per-address cap for anonymous ones). */
  views: BroadcastViews;
  /** A broadcast's row and hosts read once a second per node for its joins (a start-time join storm). */
  broadcastReads: BroadcastReads;
  /** `cluster.producers` for broadcast joins, one listing for the joins that come while one runs (live/fresh-reads.ts). */
  broadcastProducers: MediaCluster['producers'];
  /** The router capabilities clients load their device with: fixed per media server, so read once
   *  (a copy per join was a tenth of a storm's CPU); the answer only serializes them. */
  routerCapabilities: () => Promise<RtpCapabilities>;
  /** Per-user limit on queue joins, over all the user's connections (and nodes, with Redis). */
  joinLimiter: RateLimiter;
  /** Per user and broadcast: caption lines (over all the user's connections, and nodes with Redis). */
  captionLimiter: RateLimiter;
  /** Pushes a poll's fresh results, at most a few times a second per poll. */
  pollPusher: PollPusher;
  /** Other nodes share this one's rooms (the Redis adapter): server-side events reach them. */
  crossNode: boolean;
  /** What clients get with every media transport: TURN (credentials minted per transport), plain STUN, and the ICE policy. */
  ice: { turn: TurnSettings | null; stunUrls: readonly string[]; policy: 'all' | 'relay' };
  log: Logger;
}
