import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { inject } from 'vitest';

/**
 * A real deployment in miniature for failure tests: N signaling node processes (`main.ts`, as
 * production runs them) behind HAProxy with the sticky sessions Socket.IO's polling needs, a
 * private Redis the test may kill and restart, and this run's Postgres. Every process is the
 * real one; faults are real signals to real pids. Nothing here listens beyond 127.0.0.1.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** A Redis of the test's own, on its own port: killing it never touches the machine's. */
export class PrivateRedis {
  child: ChildProcess | null = null;
  readonly url: string;
  private constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** Starts it (again) on the same port, empty: Redis here keeps nothing on disk, as a crash would lose. */
  async restart(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (/Ready to accept connections/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  async kill(): Promise<void> {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    process.kill(child.pid!, 'SIGKILL');
    await waitForExit(child);
  }
}

export interface NodeProcess {
  readonly index: number;
  readonly port: number;
  /** Direct address (bypassing the load balancer). */
  readonly url: string;
  child: ChildProcess;
  /** Every JSON log line it printed, parsed. */
  logs: Array<Record<string, unknown>>;
}

export interface ClusterOptions {
  nodes: number;
  databaseUrl: string;
  env?: Record<string, string>;
}

/** Signaling nodes behind HAProxy, with a private Redis. */
export class Cluster {
  readonly nodes: NodeProcess[] = [];
  redis!: PrivateRedis;
  lbPort = 0;
  #haproxy: ChildProcess | null = null;
  #dir = mkdtempSync(path.join(tmpdir(), 'fairground-cluster-'));
  #env: Record<string, string> = {};

  private constructor(private readonly options: ClusterOptions) {}

  /** The load balancer's address: what users reach. */
  get url(): string {
    return `http://127.0.0.1:${this.lbPort}`;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    try {
      await cluster.#start();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  async #start(): Promise<void> {
    this.redis = await PrivateRedis.start();
    this.lbPort = await freePort();
    this.#env = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      ORIGIN: this.url,
      DATABASE_URL: this.options.databaseUrl,
      REDIS_URL: this.redis.url,
      REDIS_PREFIX: 'chaos',
      AUTH_SECRET: 'c'.repeat(32),
      SEED_DEMO: 'false',
      MEDIA_WORKERS: '1',
      MEDIASOUP_WORKER_BIN: inject('workerBin'),
      LOG_LEVEL: 'info',
      // HAProxy adds X-Forwarded-For: the nodes trust exactly that one hop.
      ADDRESS_HEADER: 'x-forwarded-for',
      XFF_DEPTH: '1',
      SOCKETS_PER_ADDRESS: '100000',
      // Tests connect their clients as fast as they can: admission control is lifted, except in
      // its own test (reconnect-storm.test.ts), which sets these empty for the defaults.
      HANDSHAKES_PER_SECOND: '100000',
      HANDSHAKE_BURST: '100000',
      ADMISSION_MAX_BACKLOG: '100000',
      AUTH_ACCOUNT_FAILURES: '1000',
      MAIL_CAPTURE_DIR: path.join(this.#dir, 'mail'),
      ...this.options.env,
    };
    for (let i = 0; i < this.options.nodes; i++) {
      const port = await freePort();
      this.nodes.push(await this.#spawnNode(i, port));
    }
    await this.#startHaproxy();
  }

  #spawnNode(index: number, port: number): Promise<NodeProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.#env, PORT: String(port), NODE_ID: `n${index}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const node: NodeProcess = { index, port, url: `http://127.0.0.1:${port}`, child, logs: [] };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node n${index} did not start in time`)), 90_000);
      const early = (code: number | null) => reject(new Error(`node n${index} exited with ${code} while starting`));
      child.once('exit', early);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return; // not a log line
        }
        node.logs.push(entry);
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          child.off('exit', early);
          resolve(node);
        }
      });
    });
  }

  async #startHaproxy(): Promise<void> {
    const config = path.join(this.#dir, 'haproxy.cfg');
    // Sticky by cookie (Socket.IO's long-polling must reach the node that holds its session); a
    // node that stops answering /healthz is out within a second, and a client whose cookie names
    // it is sent to a live node instead (redispatch).
    writeFileSync(
      config,
      [
        'global',
        '  maxconn 8000', // two descriptors a connection, under this machine's limit of 20000
        'defaults',
        '  mode http',
        '  timeout connect 1s',
        '  timeout client 120s',
        '  timeout server 120s',
        '  timeout tunnel 1h',
        '  option redispatch',
        '  retries 2',
        '  option forwardfor',
        'frontend users',
        `  bind 127.0.0.1:${this.lbPort}`,
        '  default_backend nodes',
        'backend nodes',
        '  balance roundrobin',
        '  cookie FGNODE insert indirect nocache',
        '  option httpchk GET /healthz',
        '  default-server inter 400ms fall 2 rise 2',
        ...this.nodes.map((n) => `  server n${n.index} 127.0.0.1:${n.port} check cookie n${n.index}`),
        '',
      ].join('\n'),
    );
    const check = spawn('haproxy', ['-c', '-q', '-f', config], { stdio: 'inherit' });
    await new Promise<void>((resolve, reject) => check.once('exit', (code) => (code === 0 ? resolve() : reject(new Error('haproxy config is invalid')))));
    this.#haproxy = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'inherit'] });
    // Ready once every node shows as up through it.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('haproxy did not come up');
  }

  /** SIGKILL by pid: the node gets no chance to clean up, as in a crash or an OOM kill. */
  async kill(index: number): Promise<void> {
    const node = this.nodes[index]!;
    process.kill(node.child.pid!, 'SIGKILL');
    await waitForExit(node.child);
  }

  /** SIGTERM: a graceful stop (a rolling restart's), resolved when the process has exited. */
  async terminate(index: number): Promise<number | null> {
    const node = this.nodes[index]!;
    const exited = new Promise<number | null>((resolve) => node.child.once('exit', (code) => resolve(code)));
    process.kill(node.child.pid!, 'SIGTERM');
    return exited;
  }

  /** Starts a node again on its old port (HAProxy takes it back when its health check passes). */
  async restart(index: number): Promise<NodeProcess> {
    const old = this.nodes[index]!;
    const node = await this.#spawnNode(index, old.port);
    this.nodes[index] = node;
    return node;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      if (node.child.exitCode === null && node.child.signalCode === null) {
        process.kill(node.child.pid!, 'SIGKILL');
        await waitForExit(node.child);
      }
    }
    if (this.#haproxy && this.#haproxy.exitCode === null && this.#haproxy.signalCode === null) {
      process.kill(this.#haproxy.pid!, 'SIGKILL');
      await waitForExit(this.#haproxy);
    }
    await this.redis?.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
