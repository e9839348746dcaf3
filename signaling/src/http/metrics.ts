import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Request, Response } from 'express';
import type { MediaStats, WorkerUsage } from '@fairground/media-server';

export interface MetricSources {
  sockets: () => number;
  media: () => Promise<MediaStats>;
  /** CPU time of each live mediasoup worker. */
  workerUsage?: () => Promise<WorkerUsage[]>;
  /** Rooms whose origin this node owns (media across nodes); absent: not counted. */
  origins?: () => number;
  /** The booths' lines, across the deployment (the same on every node: one shared table). */
  lines?: () => Promise<{ waiting: number; called: number; interviewing: number; longestWaiting: number }>;
  /** Socket requests being handled now (what a draining node waits for). */
  requestsInFlight?: () => number;
  /** Disconnect writes waiting for their turn (a storm of leaving clients queues here). */
  leaveWritesWaiting?: () => number;
}

/** What the socket request path reports: one call per acked request. */
export interface RequestMeter {
  /** `outcome`: `ok`, or the error code the client was acked with. */
  observe(event: string, outcome: string, seconds: number): void;
}

/**
 * Prometheus metrics, read from their sources at scrape time so nothing drifts, and the request
 * meter the socket handlers count into. Every name here is what deploy/grafana/fairground.json
 * queries (test/metrics-dashboard.test.ts holds the two together).
 */
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
  if (sources.requestsInFlight) gauge('requests_in_flight', 'Socket requests being handled on this node', sources.requestsInFlight);
  if (sources.leaveWritesWaiting) gauge('leave_writes_waiting', 'Disconnect writes waiting for their turn on this node', sources.leaveWritesWaiting);
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
  if (sources.workerUsage) {
    const usage = sources.workerUsage;
    // The worker's own getrusage: Node's process metrics do not include its child processes, and
    // the workers carry the media. A replaced worker's count starts again from zero (a counter
    // reset to Prometheus, which rate() handles).
    new Counter({
      name: 'fairground_media_worker_cpu_seconds_total',
      help: 'CPU time used by each mediasoup worker process, by worker index and mode (user, system)',
      labelNames: ['worker', 'mode'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const u of await usage()) {
          this.inc({ worker: String(u.worker), mode: 'user' }, u.userSeconds);
          this.inc({ worker: String(u.worker), mode: 'system' }, u.systemSeconds);
        }
      },
    });
  }
  if (sources.lines) {
    const lines = sources.lines;
    new Gauge({
      name: 'fairground_queue_entries',
      help: "Entries in the booths' lines, across the deployment, by status (waiting, called, interviewing)",
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const now = await lines();
        for (const status of ['waiting', 'called', 'interviewing'] as const) this.set({ status }, now[status]);
      },
    });
    new Gauge({
      name: 'fairground_queue_longest_waiting',
      help: 'Seekers waiting in the longest line of any booth, across the deployment',
      registers: [registry],
      async collect() {
        this.set((await lines()).longestWaiting);
      },
    });
  }

  const requests = new Counter({
    name: 'fairground_requests_total',
    help: 'Socket requests answered, by event and outcome (ok, or the error code acked)',
    labelNames: ['event', 'outcome'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'fairground_request_duration_seconds',
    help: 'Time from a socket request to its ack, by event',
    labelNames: ['event'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const meter: RequestMeter = {
    observe(event, outcome, seconds) {
      requests.inc({ event, outcome });
      durations.observe({ event }, seconds);
    },
  };

  return {
    requests: meter,
    handler: async (_req: Request, res: Response) => {
      res.type(registry.contentType).send(await registry.metrics());
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
