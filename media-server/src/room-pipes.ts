import type { types as ms } from 'mediasoup';
import { MediaError, type ProducerInfo } from './types.ts';
import type { ExportedProducer, OpenedPipe, PipeEndpoint, PipeState } from './pipe-types.ts';
import type { Emit } from './peer-table.ts';
import { rejectAsMedia } from './transports.ts';

/** How this node's pipe ends listen and behave (from MediaServerOptions). */
export interface PipeOptions {
  listenInfo: ms.TransportListenInfo;
  /** RTX and NACK across the pipe: packets lost between machines are sent again. */
  enableRtx: boolean;
  enableSrtp: boolean;
  /** An imported video producer asks its origin for a key frame at most once per this many ms. */
  keyFrameRequestDelay: number;
}

export const LOOPBACK_PIPES: PipeOptions = {
  listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
  enableRtx: true,
  enableSrtp: false,
  keyFrameRequestDelay: 500,
};

export interface RoomPipesContext {
  roomId: string;
  emit: Emit;
  options: PipeOptions;
  /** The router pipes attach to: a booth's or interview's router, a broadcast's origin. */
  router(): Promise<ms.Router>;
  /** A producer published on this node in this room, and its publisher's peer id. */
  localProducer(producerId: string): { producer: ms.Producer; peerId: string } | undefined;
  /** An imported producer closed (a broadcast forgets its edge pipes of it). */
  importClosed(producer: ms.Producer): void;
}

/** This node's end of the room's pipe to one other node; it carries media both ways. */
interface PipeEnd {
  remoteNode: string;
  transport: ms.PipeTransport;
  local: PipeEndpoint;
  /** The other node's end this one sends to, once connected (a pipe connects once). */
  remote: PipeEndpoint | null;
  connecting: Promise<void> | null;
  /** Producers of this node sent through this end: producer id -> the pipe consumer. */
  exports: Map<string, Promise<ms.Consumer>>;
  /** Producers of the other node received through this end. */
  imports: Map<string, Promise<Imported>>;
  /**
   * What the origin said about a producer before it was imported here (the event was relayed
   * faster than the import): applied when the import is made.
   */
  early: Map<string, PipeState>;
}

interface Imported {
  producer: ms.Producer;
  peerId: string;
  end: PipeEnd;
}

const samePipe = (a: PipeEndpoint, b: PipeEndpoint) => a.id === b.id && a.ip === b.ip && a.port === b.port;

/**
 * A room's pipes to other nodes: one PipeTransport per other node, on the room's origin router,
 * shared by every producer going either way between the two nodes in this room (a PipeTransport
 * belongs to one router, so "one pair per node pair" is per room). The origin consumes its
 * producer on its end (`exportProducer`); the importer produces it on its end with the same id
 * (`importProducer`), so local viewers (and a broadcast's edges, through `pipeToRouter`) consume
 * it as if it were published here. Nothing but RTP crosses a pipe: closes and pauses on the origin
 * come back as `pipe-export` events the transport layer relays (`updateImport`), and an end that
 * closes is announced as `pipe-closed` so the other node closes its end too.
 *
 * Key frames: a viewer's PLI goes to the importer's producer, whose KeyFrameRequestManager keeps
 * one request pending per stream (later ones only mark it for retry) and, with
 * `keyFrameRequestDelay`, sends at most one a period; that one crosses the pipe to the origin's
 * PipeConsumer, which asks the publisher's producer (deduplicated again across nodes).
 */
export class RoomPipes {
  readonly #ends = new Map<string, Promise<PipeEnd>>();
  /** Ends whose creation finished, and settled imports: for synchronous reads (stats, lists). */
  readonly #open = new Set<PipeEnd>();
  readonly #imported = new Map<string, Imported>();

  constructor(private readonly ctx: RoomPipesContext) {}

  /**
   * This node's end towards `remoteNode`, created on first use. Given the other end, connects to
   * it; an end already connected to another (stale) end is closed and replaced by a fresh one.
   */
  async open(remoteNode: string, remote?: PipeEndpoint): Promise<OpenedPipe> {
    for (;;) {
      // Looked up and created synchronously, so concurrent first uses share one end.
      const pending = this.#ends.get(remoteNode) ?? this.#create(remoteNode);
      const end = await pending;
      const stale = end.transport.closed || (remote !== undefined && end.remote !== null && !samePipe(end.remote, remote));
      if (stale) {
        end.transport.close();
        if (this.#ends.get(remoteNode) === pending) this.#ends.delete(remoteNode);
        continue;
      }
      if (remote) {
        if (!end.connecting) {
          end.remote = remote;
          end.connecting = rejectAsMedia(() => end.transport.connect({ ip: remote.ip, port: remote.port, srtpParameters: remote.srtp }));
        }
        await end.connecting;
      }
      return { ...end.local, connectedTo: end.remote?.id ?? null };
    }
  }

  #create(remoteNode: string): Promise<PipeEnd> {
    const creating = this.#createEnd(remoteNode);
    this.#ends.set(remoteNode, creating);
    const forget = () => {
      if (this.#ends.get(remoteNode) === creating) this.#ends.delete(remoteNode);
    };
    creating.then((end) => end.transport.observer.once('close', forget), forget);
    return creating;
  }

  async #createEnd(remoteNode: string): Promise<PipeEnd> {
    const router = await this.ctx.router();
    const { listenInfo, enableRtx, enableSrtp } = this.ctx.options;
    const transport = await rejectAsMedia(() => router.createPipeTransport({ listenInfo, enableRtx, enableSrtp, appData: { remoteNode } }));
    const local: PipeEndpoint = { id: transport.id, ip: transport.tuple.localAddress, port: transport.tuple.localPort };
    if (transport.srtpParameters) local.srtp = { ...transport.srtpParameters };
    const end: PipeEnd = { remoteNode, transport, local, remote: null, connecting: null, exports: new Map(), imports: new Map(), early: new Map() };
    this.#open.add(end);
    transport.observer.once('close', () => {
      this.#open.delete(end);
      this.ctx.emit('pipe-closed', { roomId: this.ctx.roomId, remoteNode, pipeId: transport.id });
    });
    return end;
  }

  /** A connected end towards `node`, or PIPE_NOT_FOUND (open the pipe first). */
  async #connected(node: string, pipeId?: string): Promise<PipeEnd> {
    const end = await this.#ends.get(node)?.catch(() => null);
    if (!end || end.transport.closed || !end.connecting) throw new MediaError('PIPE_NOT_FOUND', `No pipe to ${node} in this room; open it first`);
    await end.connecting;
    if (pipeId !== undefined && end.remote!.id !== pipeId) throw new MediaError('PIPE_NOT_FOUND', `The pipe from ${node} was replaced; open it again`);
    return end;
  }

  /**
   * Closes the end towards `remoteNode` (only if it is connected to `remotePipeId`, when given),
   * and with it every producer imported through it. Returns how many imports closed.
   */
  async close(remoteNode: string, remotePipeId?: string): Promise<number> {
    const end = await this.#ends.get(remoteNode)?.catch(() => null);
    if (!end || end.transport.closed) return 0;
    if (remotePipeId !== undefined && end.remote?.id !== remotePipeId) return 0;
    const imports = [...this.#imported.values()].filter((i) => i.end === end).length;
    end.transport.close();
    return imports;
  }

  /** Sends a producer of this node to `toNode` (once per node; again returns the same). */
  async exportProducer(producerId: string, toNode: string): Promise<ExportedProducer> {
    const local = this.ctx.localProducer(producerId);
    if (!local) throw new MediaError('PRODUCER_NOT_FOUND', 'No such producer published on this node in this room');
    const end = await this.#connected(toNode);
    let consuming = end.exports.get(producerId);
    if (!consuming) {
      consuming = this.#pipeConsumer(end, producerId);
      end.exports.set(producerId, consuming);
      consuming.catch(() => end.exports.delete(producerId));
    }
    const consumer = await consuming;
    return {
      pipeId: end.local.id,
      id: producerId,
      peerId: local.peerId,
      kind: consumer.kind,
      rtpParameters: structuredClone(consumer.rtpParameters),
      paused: consumer.producerPaused,
      appData: { ...local.producer.appData },
    };
  }

  async #pipeConsumer(end: PipeEnd, producerId: string): Promise<ms.Consumer> {
    const consumer = await rejectAsMedia(() => end.transport.consume({ producerId }));
    const tell = (state: PipeState) =>
      this.ctx.emit('pipe-export', { roomId: this.ctx.roomId, toNode: end.remoteNode, pipeId: end.local.id, producerId, state });
    consumer.observer.once('close', () => end.exports.delete(producerId));
    // Only the producer's own end is told per producer; an end that closes is told as pipe-closed.
    consumer.on('producerclose', () => tell('closed'));
    consumer.on('producerpause', () => tell('paused'));
    consumer.on('producerresume', () => tell('resumed'));
    return consumer;
  }

  /** Produces another node's exported producer here, with its id, so local viewers consume it. */
  async importProducer(fromNode: string, exported: ExportedProducer): Promise<ProducerInfo> {
    const end = await this.#connected(fromNode, exported.pipeId);
    let importing = end.imports.get(exported.id);
    if (!importing) {
      importing = this.#produce(end, exported);
      end.imports.set(exported.id, importing);
      importing.catch(() => end.imports.delete(exported.id));
    }
    const { producer, peerId } = await importing;
    return { id: producer.id, peerId, kind: producer.kind, appData: { ...producer.appData } };
  }

  async #produce(end: PipeEnd, exported: ExportedProducer): Promise<Imported> {
    if (this.ctx.localProducer(exported.id)) throw new MediaError('MEDIA_REJECTED', 'That producer is published on this node');
    const producer = await rejectAsMedia(() =>
      end.transport.produce({
        id: exported.id,
        kind: exported.kind,
        rtpParameters: exported.rtpParameters,
        paused: exported.paused,
        appData: { ...exported.appData, fromNode: end.remoteNode },
        keyFrameRequestDelay: this.ctx.options.keyFrameRequestDelay,
      }),
    );
    const early = end.early.get(exported.id);
    end.early.delete(exported.id);
    if (early === 'closed') {
      producer.close();
      throw new MediaError('PRODUCER_NOT_FOUND', 'That producer closed on its origin');
    }
    const imported: Imported = { producer, peerId: exported.peerId, end };
    this.#imported.set(producer.id, imported);
    producer.observer.once('close', () => {
      end.imports.delete(producer.id);
      if (this.#imported.get(producer.id) === imported) this.#imported.delete(producer.id);
      this.ctx.importClosed(producer);
      this.ctx.emit('producer-closed', { roomId: this.ctx.roomId, producerId: producer.id, peerId: exported.peerId, fromNode: end.remoteNode });
    });
    if (early) await this.#apply(imported, early);
    return imported;
  }

  /** Applies what the origin said about an imported producer (`pipe-export`, relayed). */
  async updateImport(fromNode: string, pipeId: string, producerId: string, state: PipeState): Promise<void> {
    const end = await this.#ends.get(fromNode)?.catch(() => null);
    // A late event about a replaced pipe must not touch what the new pipe carries.
    if (!end || end.remote?.id !== pipeId) return;
    const importing = end.imports.get(producerId);
    if (!importing) {
      end.early.set(producerId, state);
      return;
    }
    const imported = await importing.catch(() => null);
    if (imported && !imported.producer.closed) await this.#apply(imported, state);
  }

  async #apply({ producer, peerId }: Imported, state: PipeState): Promise<void> {
    const { roomId } = this.ctx;
    if (state === 'closed') producer.close();
    else if (state === 'paused' && !producer.paused) {
      await producer.pause();
      this.ctx.emit('producer-paused', { roomId, producerId: producer.id, peerId });
    } else if (state === 'resumed' && producer.paused) {
      await producer.resume();
      this.ctx.emit('producer-resumed', { roomId, producerId: producer.id, peerId });
    }
  }

  /** The producers imported into this room (as `producers()` lists them). */
  producers(): ProducerInfo[] {
    const list: ProducerInfo[] = [];
    for (const { producer, peerId } of this.#imported.values()) {
      if (!producer.closed) list.push({ id: producer.id, peerId, kind: producer.kind, appData: { ...producer.appData } });
    }
    return list;
  }

  hasImport(producerId: string): boolean {
    return this.#imported.has(producerId);
  }

  /** Pipe ends, exported and imported producers, for stats. */
  counts(): { pipes: number; exports: number; imports: number } {
    let exports = 0;
    for (const end of this.#open) exports += end.exports.size;
    return { pipes: this.#open.size, exports, imports: this.#imported.size };
  }
}
