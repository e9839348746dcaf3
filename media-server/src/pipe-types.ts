import type { types as ms } from 'mediasoup';
import type { MediaEvents, PipeState, RoomRef } from './types.ts';

/**
 * Media across nodes: the plain-JSON messages two media nodes exchange (through whatever carries
 * them: a direct call in one process, Redis or Socket.IO inter-server messages across machines) to
 * bring a producer from the node its publisher is on (the origin) into the same room on another
 * node (the importer), over a mediasoup PipeTransport pair.
 */

/** One end of a room's pipe between two nodes: where the other end sends RTP. */
export interface PipeEndpoint {
  /** The pipe transport's id: tells a fresh end from a stale one on the same ip and port. */
  id: string;
  ip: string;
  port: number;
  /** Present when pipes use SRTP (`pipeSrtp`); both ends must agree. */
  srtp?: ms.SrtpParameters | undefined;
}

/** What `openPipe` answers: this node's end, and the other end it is connected to (if any). */
export interface OpenedPipe extends PipeEndpoint {
  /** The id of the other node's end this one sends to; null until connected. */
  connectedTo: string | null;
}

/** A producer as the origin exports it: everything the importer needs to produce it again. */
export interface ExportedProducer {
  /** The origin's pipe end it leaves through (the importer's end must be connected to it). */
  pipeId: string;
  id: string;
  /** The publisher's peer id on the origin, so every node names the producer's owner alike. */
  peerId: string;
  kind: ms.MediaKind;
  /** The pipe consumer's RTP parameters (what arrives on the importer's pipe end). */
  rtpParameters: ms.RtpParameters;
  paused: boolean;
  appData: Record<string, unknown>;
}

export type { PipeState };

/** The requests a media node answers for pipes (the `type` names the MediaServer method). */
export type PipeRequest =
  | { type: 'openPipe'; room: RoomRef; remoteNode: string; remote?: PipeEndpoint | undefined; existing?: boolean | undefined }
  | { type: 'closePipe'; roomId: string; remoteNode: string; remotePipeId?: string | undefined }
  | { type: 'exportProducer'; roomId: string; producerId: string; toNode: string }
  | { type: 'importProducer'; room: RoomRef; fromNode: string; producer: ExportedProducer }
  | { type: 'updateImport'; roomId: string; fromNode: string; pipeId: string; producerId: string; state: PipeState }
  | { type: 'closeImportsFrom'; node: string };

/** What each request answers. */
export interface PipeResponses {
  openPipe: OpenedPipe;
  closePipe: null;
  exportProducer: ExportedProducer;
  importProducer: { id: string; peerId: string; kind: ms.MediaKind };
  updateImport: null;
  closeImportsFrom: { closed: number };
}

/** Events a node emits about its pipes (part of MediaEvents; see there). */
export type PipeEvents = Pick<MediaEvents, 'pipe-export' | 'pipe-closed'>;
