import type { types as ms } from 'mediasoup';

/** Everything crossing this package's surface is plain JSON, so it can move behind an RPC. */
export type RtpCapabilities = ms.RtpCapabilities;
export type RtpParameters = ms.RtpParameters;
export type DtlsParameters = ms.DtlsParameters;
export type MediaKind = ms.MediaKind;
export type IceParameters = ms.IceParameters;

/**
 * What a room is for. The kind is given by the caller when a room is opened, never read from the
 * room id: booths and interviews have one router; broadcasts fan out over every worker.
 */
export type RoomKind = 'booth' | 'interview' | 'broadcast';

/** A room as the caller names it when it may be opened: its id and its kind. */
export interface RoomRef {
  kind: RoomKind;
  id: string;
}

/** Where a live room's media is (plain JSON, for tests, chaos checks and operators). */
export interface RoomInfo {
  id: string;
  kind: RoomKind;
  /** Peers holding media here (transports, producers, consumers). */
  peers: number;
  /** The worker index of the room's first router (a broadcast's origin), null while it opens. */
  origin: number | null;
  /** Worker indexes of every router of the room (a broadcast's edges too), in no order. */
  workers: number[];
  /** Receiving peers per worker index (broadcasts; empty for booths and interviews). */
  placement: Record<number, number>;
}

/**
 * A worker died under a room. `scope: 'room'`: the whole room lost its media and is closed (every
 * peer in `peerIds` must join again); `'peers'`: only these peers lost theirs (a broadcast's edge
 * worker), the room and everyone else carry on.
 */
export interface RoomReset {
  roomId: string;
  kind: RoomKind;
  scope: 'room' | 'peers';
  peerIds: string[];
}

export interface MediaServerOptions {
  /** Number of mediasoup worker processes; one per core is the norm. */
  workers: number;
  /** Address the RTC sockets bind to. */
  listenIp: string;
  /** Address put in ICE candidates when it differs from listenIp (NAT, containers). */
  announcedAddress?: string | undefined;
  /** First WebRtcServer port; worker i listens on basePort + i. Unset: a free port per worker. */
  webRtcBasePort?: number | undefined;
  /** Absolute path of the mediasoup-worker binary; mediasoup's own lookup when unset. */
  workerBin?: string | undefined;
  logLevel?: 'debug' | 'warn' | 'error' | 'none';
  /** What one peer may hold; anything over is refused with LIMIT_REACHED before it is allocated. */
  limits?: Partial<MediaLimits>;
  /** Where the package reports what it does; it never writes to the console itself. */
  logger?: MediaLogger;
  /**
   * Pipes to other nodes (media across machines). The address their sockets bind to: the
   * machine's address on the network between nodes (default listenIp).
   */
  pipeListenIp?: string | undefined;
  /** Address the other node sends to when it differs from pipeListenIp (NAT, containers). */
  pipeAnnouncedAddress?: string | undefined;
  /** UDP ports pipes may use (firewall rules between nodes); any free port when unset. */
  pipePortRange?: { min: number; max: number } | undefined;
  /** Encrypt RTP between nodes (SRTP); for networks between nodes that are not private. */
  pipeSrtp?: boolean | undefined;
  /** Ms an imported video producer waits between key frame requests to its origin (default 500). */
  pipeKeyFrameRequestDelay?: number | undefined;
}

/**
 * Per-peer limits, so one client cannot take more than its share of a worker. A peer is one
 * connection in one room.
 */
export interface MediaLimits {
  /** Transports per direction (send, recv): one of each is all a client needs. */
  transportsPerDirection: number;
  /** Producers at once; at most one per source (camera, mic, screen). */
  producers: number;
  /** Bits per second a WebRTC transport accepts from its client (mediasoup's setMaxIncomingBitrate). */
  maxIncomingBitrate: number;
  /** The send estimate a WebRTC transport starts from towards its client, in bits per second. */
  initialAvailableOutgoingBitrate: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  transportsPerDirection: 1,
  producers: 3,
  // Camera simulcast (150 k + 500 k + 1.5 M), a screen share and the microphone, with headroom.
  maxIncomingBitrate: 5_000_000,
  initialAvailableOutgoingBitrate: 1_000_000,
};

export interface MediaLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type TransportDirection = 'send' | 'recv';

export interface TransportInfo {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface ProducerInfo {
  id: string;
  peerId: string;
  kind: MediaKind;
  /** Free-form labels the producer was created with (e.g. { source: 'camera' }). */
  appData: Record<string, unknown>;
}

export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
}

/**
 * How a consumer starts. By default paused: the client resumes it once its track is wired up.
 * `paused: false` is honoured only on a transport that has not connected yet (nothing can reach
 * the browser before its own ICE and DTLS, which follow its wiring): the consumer then asks for a
 * key frame the moment the transport connects, with no resume round trip. `spatialLayer` caps a
 * simulcast consumer from the start (a viewer's chosen quality).
 */
export interface ConsumeOptions {
  paused?: boolean;
  spatialLayer?: number;
}

export interface PlainTransportInfo {
  id: string;
  ip: string;
  port: number;
  /** Present when RTCP has its own port (rtcpMux: false). */
  rtcpPort: number | undefined;
  /** The worker the transport's router runs on. */
  workerIndex: number;
}

/** A simulcast/SVC layer cap: 0 is the lowest spatial layer. */
export interface ConsumerLayers {
  spatialLayer: number;
  temporalLayer?: number;
}

export interface MediaStats {
  workers: number;
  workersAlive: number;
  rooms: number;
  /** Process id of each worker, in worker order (a dead, not yet replaced one keeps its old pid). */
  workerPids: number[];
  /** Rooms per worker, in worker order: shows how load is spread. */
  roomsPerWorker: number[];
  /** Broadcast consumers and reserved viewer seats per worker, in worker order. */
  loadPerWorker: number[];
  /**
   * Per worker: does it send a producer's packet to all its consumers in one io_uring submission
   * (Linux 6+, io_uring allowed) rather than one sendto() per consumer? Fan-out costs less CPU.
   */
  ioUringPerWorker: boolean[];
  transports: number;
  /** Producers, imported ones (from other nodes) included. */
  producers: number;
  consumers: number;
  /** Pipe ends to other nodes, producers sent through them, producers received through them. */
  pipes: number;
  exports: number;
  imports: number;
}

/** CPU time one worker process has used since it started (mediasoup's worker.getResourceUsage). */
export interface WorkerUsage {
  /** The worker's index (a replacement takes the dead one's). */
  worker: number;
  pid: number;
  userSeconds: number;
  systemSeconds: number;
}

/** What an origin says about a producer it exports to another node. */
export type PipeState = 'paused' | 'resumed' | 'closed';

/** What the media server tells its owner without being asked. */
export interface MediaEvents {
  /**
   * A peer published a producer here (not an import from another node): the recorder taps it.
   * `appData` is what it was produced with (its source, and who published it).
   */
  'producer-added': [{ roomId: string; kind: RoomKind; producerId: string; peerId: string; mediaKind: MediaKind; appData: Record<string, unknown> }];
  /**
   * A producer ended (its peer left, or its transport closed); consumers of it are gone too.
   * `fromNode` is set for a producer imported from another node (its origin tells the room itself).
   */
  'producer-closed': [{ roomId: string; producerId: string; peerId: string; fromNode?: string }];
  /** A producer paused or resumed (`pauseProducer`, or its origin on another node did). */
  'producer-paused': [{ roomId: string; producerId: string; peerId: string }];
  'producer-resumed': [{ roomId: string; producerId: string; peerId: string }];
  /** A consumer ended because its producer did; the consuming peer should drop its track. */
  'consumer-closed': [{ roomId: string; consumerId: string; peerId: string }];
  /**
   * Media was lost with a worker: emitted first, before the room (or only the affected peers) is
   * closed, so the owner can always tell its clients to join again. The same for every room kind.
   */
  'room-reset': [RoomReset];
  /** The room closed, whatever closed it (its last peer left, closeRoom, a reset, shutdown). */
  'room-closed': [{ roomId: string; kind: RoomKind }];
  // Media across nodes (pipe-types.ts): the transport layer relays each of these to the node it
  // names, `pipe-export` to `toNode` as `updateImport`, `pipe-closed` to `remoteNode` as `closePipe`.
  /** An exported producer paused, resumed or closed on its origin (this node). */
  'pipe-export': [{ roomId: string; toNode: string; pipeId: string; producerId: string; state: PipeState }];
  /** This node's end of a room's pipe closed (the room closed, its worker died, or it was replaced). */
  'pipe-closed': [{ roomId: string; remoteNode: string; pipeId: string }];
}

export type MediaErrorCode =
  | 'ROOM_NOT_FOUND'
  | 'TRANSPORT_NOT_FOUND'
  | 'PRODUCER_NOT_FOUND'
  | 'CONSUMER_NOT_FOUND'
  | 'CANNOT_CONSUME'
  | 'MEDIA_REJECTED'
  /** The peer already holds as many of these as it may (MediaLimits). Nothing was allocated. */
  | 'LIMIT_REACHED'
  /** No pipe to that node in this room (or it was replaced): open it again. */
  | 'PIPE_NOT_FOUND'
  /** The media node serving the room did not answer (split roles: dead, or too slow); try again. */
  | 'MEDIA_UNAVAILABLE';

/** A refusal the caller can map to its own error codes; `message` is safe to show. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}
