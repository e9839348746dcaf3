import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Request, Response } from 'express';
import type { MediaStats } from '@fairground/media-server';

export interface MetricSources {
  sockets: () => number;
  media: () => Promise<MediaStats>;
  /** Rooms whose origin this node owns (media across nodes); absent: not counted. */
  origins?: () => number;
}

/** Prometheus metrics, read from their sources at scrape time so nothing drifts. */
export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fairground_' });

  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name: `fairground_${name}`,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });

  gauge('sockets', 'Socket.IO connections on this process', sources.sockets);
  gauge('media_workers', 'mediasoup workers configured', async () => (await sources.media()).workers);
  gauge('media_workers_alive', 'mediasoup workers running', async () => (await sources.media()).workersAlive);
  gauge('media_rooms', 'Rooms with a mediasoup router', async () => (await sources.media()).rooms);
  gauge('media_transports', 'WebRTC transports open', async () => (await sources.media()).transports);
  gauge('media_producers', 'Producers open', async () => (await sources.media()).producers);
  gauge('media_consumers', 'Consumers open', async () => (await sources.media()).consumers);
  // Media across nodes: pipe ends to other nodes, producers sent and received through them.
  gauge('media_pipes', 'Pipe transports to other nodes', async () => (await sources.media()).pipes);
  gauge('media_exports', 'Producers of this node piped to other nodes', async () => (await sources.media()).exports);
  gauge('media_imports', 'Producers of other nodes piped to this node', async () => (await sources.media()).imports);
  if (sources.origins) gauge('media_origins', 'Rooms whose media origin this node owns', sources.origins);
  // Which process each worker is, so an operator (or a failure test) can tell a replaced worker
  // from the old one and find the pid to look at.
  new Gauge({
    name: 'fairground_media_worker_pid',
    help: 'Process id of each mediasoup worker, by worker index',
    labelNames: ['worker'],
    registers: [registry],
    async collect() {
      this.reset();
      (await sources.media()).workerPids.forEach((pid, i) => this.set({ worker: String(i) }, pid));
    },
  });

  return {
    handler: async (_req: Request, res: Response) => {
      res.type(registry.contentType).send(await registry.metrics());
    },
  };
}
