import type { BoothClientEvents, BoothServerEvents } from '../features/booths/protocol.ts';
import type { BroadcastClientEvents, BroadcastServerEvents } from '../features/broadcasts/protocol.ts';
import type { ChatClientEvents, ChatServerEvents } from '../features/chat/protocol.ts';
import type { ExtrasClientEvents, ExtrasServerEvents } from '../features/extras/protocol.ts';
import type { DashboardClientEvents, DashboardServerEvents } from '../features/dashboard/protocol.ts';
import type { InterviewClientEvents, InterviewServerEvents } from '../features/interviews/protocol.ts';
import type { MediaClientEvents, MediaServerEvents } from '../features/media/protocol.ts';
import type { QueueClientEvents, QueueServerEvents } from '../features/queue/protocol.ts';
import type { SlotServerEvents } from '../features/slots/protocol.ts';
import type { ScreenClientEvents, ScreenServerEvents } from '../features/screens/protocol.ts';

/**
 * The whole protocol, composed of each feature's part (signaling/src/features/<feature>/protocol.ts,
 * beside its handlers). Requests are acked with a Result; the request-to-schema table is requests.ts.
 */
export interface ClientToServerEvents
  extends
    BoothClientEvents,
    MediaClientEvents,
    QueueClientEvents,
    InterviewClientEvents,
    BroadcastClientEvents,
    ChatClientEvents,
    ExtrasClientEvents,
    DashboardClientEvents,
    ScreenClientEvents {}

export interface ServerToClientEvents
  extends
    BoothServerEvents,
    MediaServerEvents,
    QueueServerEvents,
    InterviewServerEvents,
    BroadcastServerEvents,
    ChatServerEvents,
    DashboardServerEvents,
    SlotServerEvents,
    ExtrasServerEvents,
    ScreenServerEvents {}

export interface InterServerEvents {
  ping: () => void;
  /** Something changed at one of this fair's booths: each node pushes to its own dashboard watchers. */
  'dashboard:changed': (fairId: string) => void;
  /** A host on another node sent this connection's owner back from the stage: close its producers. */
  'broadcast:unstage': (roomId: string, peer: string) => void;
  /** A booth presentation began or ended on another node: this node's recorder taps or stops that booth's room. */
  'booth:recording': (roomId: string) => void;
  /** An interview ended on another node: close its media room here too. */
  'interview:ended': (interviewId: string) => void;
  /** An interview went audio only on another node: close its cameras here too. */
  'interview:audio-only': (interviewId: string) => void;
}

/** What the server knows about a connection, set once at the handshake. */
export interface SocketData {
  user: { id: string; email: string; name: string; role: 'seeker' | 'employer' | 'organizer' | 'admin'; emailVerified?: boolean } | null;
  /** Who counts as a viewer: the user id, or the anonymous device id the client sent. */
  identity: string;
  /** The room of every socket of this sign-in session (a hash of its token), ended on sign-out. */
  sessionRoom: string | null;
  /** A hall or booth screen's display session (its key's one screen), else null. */
  display: { keyId: string; kind: 'fair' | 'booth'; fairId: string; boothId: string | null } | null;
}
