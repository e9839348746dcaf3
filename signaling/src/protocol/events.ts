import type { Ack } from './errors.ts';
import type {
  BoothJoin,
  Consume,
  ConsumerResume,
  ProducerClose,
  Produce,
  TransportConnect,
  TransportCreate,
  MediaSource,
} from './schemas.ts';

/** JSON shapes the media server hands through; opaque to signaling and typed by mediasoup-client. */
export type Json = Record<string, unknown>;

export interface TransportOptions {
  id: string;
  iceParameters: Json;
  iceCandidates: Json[];
  dtlsParameters: Json;
}

export interface RemoteProducer {
  id: string;
  kind: 'audio' | 'video';
  source: MediaSource;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: Json;
}

export interface BoothState {
  boothId: string;
  roomId: string;
  employerName: string;
  /** True when the user may publish media here (the employer's staff). */
  isStaff: boolean;
  viewers: number;
  producers: RemoteProducer[];
  routerRtpCapabilities: Json;
}

export interface ViewerCount {
  roomId: string;
  /** Distinct viewer identities connected now (two tabs of one person count once). */
  live: number;
}

export interface ClientToServerEvents {
  'booth:join': (payload: BoothJoin, ack: Ack<BoothState>) => void;
  'booth:leave': (payload: BoothJoin, ack: Ack<null>) => void;
  'media:transport-create': (payload: TransportCreate, ack: Ack<TransportOptions>) => void;
  'media:transport-connect': (payload: TransportConnect, ack: Ack<null>) => void;
  'media:produce': (payload: Produce, ack: Ack<{ producerId: string }>) => void;
  'media:producer-close': (payload: ProducerClose, ack: Ack<null>) => void;
  'media:consume': (payload: Consume, ack: Ack<ConsumerOptions>) => void;
  'media:consumer-resume': (payload: ConsumerResume, ack: Ack<null>) => void;
}

export interface ServerToClientEvents {
  'room:viewers': (count: ViewerCount) => void;
  'media:producer-added': (payload: { roomId: string; producer: RemoteProducer }) => void;
  'media:producer-closed': (payload: { roomId: string; producerId: string }) => void;
  'media:consumer-closed': (payload: { roomId: string; consumerId: string }) => void;
  /** The room's media died (worker crash); rejoin to get new transports. */
  'media:room-reset': (payload: { roomId: string }) => void;
}

export interface InterServerEvents {
  ping: () => void;
}

/** What the server knows about a connection, set once at the handshake. */
export interface SocketData {
  user: { id: string; name: string; role: 'seeker' | 'employer' | 'organizer' | 'admin' } | null;
  /** Who counts as a viewer: the user id, or the anonymous device id the client sent. */
  identity: string;
}
