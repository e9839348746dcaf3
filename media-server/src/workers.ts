import type { types as ms } from 'mediasoup';
import { mediaCodecs } from './codecs.ts';
import { MediaError, type MediaLogger, type MediaServerOptions, type RtpCapabilities, type WorkerUsage } from './types.ts';

/** One worker as a room sees it: where a router may be opened, and how busy it is. */
export interface WorkerHandle {
  index: number;
  webRtcServer: ms.WebRtcServer;
  /** Routers of live rooms on this worker (a broadcast counts once per router it has here). */
  rooms(): number;
  /** Broadcast consumers plus reserved viewer seats on this worker, across every room. */
  load(): number;
  createRouter(): Promise<ms.Router>;
  /** A room's router opened (or closed) on this worker; `key` is that router's owner. */
  attach(key: object): void;
  detach(key: object): void;
  /** Called with +1/-1 as consumers and viewer seats on this worker come and go. */
  addLoad(delta: number): void;
}

interface Slot {
  index: number;
  worker: ms.Worker;
  handle: WorkerHandle;
  rooms: Set<object>;
  load: number;
  /** Whether the worker batches its sends through io_uring (see MediaStats.ioUringPerWorker). */
  ioUring: boolean;
}

/**
 * The mediasoup worker processes: started at boot, and each one that dies replaced at its index.
 * A death is reported to `onDied` synchronously, after the replacement has started spawning, so
 * rooms reopened at once wait for it (`ready`) rather than finding no worker.
 */
export class WorkerPool {
  readonly #slots: Slot[] = [];
  readonly #replacing = new Set<Promise<void>>();
  #closed = false;

  constructor(
    private readonly mediasoup: typeof import('mediasoup'),
    private readonly options: MediaServerOptions,
    private readonly log: MediaLogger,
    private readonly onDied: (dead: WorkerHandle) => void,
  ) {}

  async start(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.#slots.push(await this.#spawn(i));
  }

  /** Every router is made with the same codec list, so its capabilities are known up front. */
  async capabilities(): Promise<RtpCapabilities> {
    const probe = await this.#slots[0]!.worker.createRouter({ mediaCodecs });
    const capabilities = probe.rtpCapabilities;
    probe.close();
    return capabilities;
  }

  async #spawn(index: number): Promise<Slot> {
    const worker = await this.mediasoup.createWorker({ logLevel: this.options.logLevel ?? 'warn' });
    try {
      const port = this.options.webRtcBasePort ? this.options.webRtcBasePort + index : undefined;
      const listen = { ip: this.options.listenIp, announcedAddress: this.options.announcedAddress, port };
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { ...listen, protocol: 'udp' },
          { ...listen, protocol: 'tcp' },
        ],
      });
      // The worker reports io_uring counters in its dump only when it runs with io_uring.
      const ioUring = (await worker.dump()).liburing !== undefined;
      const slot = { index, worker, rooms: new Set<object>(), load: 0, ioUring } as Slot;
      slot.handle = {
        index,
        webRtcServer,
        rooms: () => slot.rooms.size,
        load: () => slot.load,
        createRouter: () => worker.createRouter({ mediaCodecs }),
        attach: (key) => slot.rooms.add(key),
        detach: (key) => slot.rooms.delete(key),
        addLoad: (delta) => {
          slot.load = Math.max(0, slot.load + delta);
        },
      };
      worker.on('died', (error) => this.#died(slot, error));
      this.log.info({ index, pid: worker.pid, ioUring }, 'mediasoup worker started');
      return slot;
    } catch (error) {
      worker.close();
      throw error;
    }
  }

  #died(slot: Slot, error: Error): void {
    this.log.error({ index: slot.index, pid: slot.worker.pid, err: error.message }, 'mediasoup worker died');
    if (!this.#closed) {
      const replacing: Promise<void> = this.#replace(slot).finally(() => this.#replacing.delete(replacing));
      this.#replacing.add(replacing);
    }
    this.onDied(slot.handle);
  }

  /** A fresh worker at the dead one's index; a failed spawn is tried again, up to five times. */
  async #replace(slot: Slot): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        const fresh = await this.#spawn(slot.index);
        if (this.#closed) return void fresh.worker.close();
        this.#slots[this.#slots.indexOf(slot)] = fresh;
        return;
      } catch (err) {
        this.log.error({ index: slot.index, attempt, err: String(err) }, 'could not replace mediasoup worker');
        if (attempt === 5) return;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  #alive(): Slot[] {
    return this.#slots.filter((s) => !s.worker.died && !s.worker.closed);
  }

  alive(): WorkerHandle[] {
    return this.#alive().map((s) => s.handle);
  }

  /** Resolves once a worker runs: at once, or when a replacement being spawned is up. */
  async ready(): Promise<void> {
    while (this.#alive().length === 0 && this.#replacing.size > 0) await Promise.race(this.#replacing);
  }

  /** The live worker with the least of `measure` (rooms, or broadcast load). */
  least(measure: (worker: WorkerHandle) => number): WorkerHandle {
    const alive = this.alive();
    if (alive.length === 0) throw new MediaError('ROOM_NOT_FOUND', 'No media worker is running');
    return alive.reduce((a, b) => (measure(b) < measure(a) ? b : a));
  }

  stats() {
    return {
      workers: this.#slots.length,
      workersAlive: this.#alive().length,
      workerPids: this.#slots.map((s) => s.worker.pid),
      roomsPerWorker: this.#slots.map((s) => s.rooms.size),
      loadPerWorker: this.#slots.map((s) => s.load),
      ioUringPerWorker: this.#slots.map((s) => s.ioUring),
    };
  }

  /**
   * CPU time each live worker process has used (getrusage in the worker, over its channel), in
   * worker order; a dead worker (or one that stops answering) is left out until its replacement
   * runs, whose counts start again from zero.
   */
  async usage(): Promise<WorkerUsage[]> {
    const read = async (slot: Slot): Promise<WorkerUsage | null> => {
      if (slot.worker.died || slot.worker.closed) return null;
      try {
        const ru = await slot.worker.getResourceUsage();
        return { worker: slot.index, pid: slot.worker.pid, userSeconds: ru.ru_utime / 1000, systemSeconds: ru.ru_stime / 1000 };
      } catch {
        return null; // it died while asked
      }
    };
    return (await Promise.all(this.#slots.map(read))).filter((u): u is WorkerUsage => u !== null);
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) slot.worker.close();
  }
}
