import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inject } from 'vitest';

/** A signaling node running as its own OS process, with the log lines it printed so far. */
export interface NodeProcess {
  child: ChildProcess;
  port: number;
  url: string;
  logs: Array<Record<string, unknown>>;
}

/**
 * Starts `signaling/src/main.ts` as its own OS process (so it can be killed by pid like a real
 * node) and resolves once it logs `listening`. Generous by default: on a loaded 2-core machine a
 * node serving the built pages takes long to start.
 */
export function startNode(env: Record<string, string>, timeoutMs = 90_000): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, unknown>> = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in time')), timeoutMs);
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve({ child, port: entry.port, url: `http://127.0.0.1:${entry.port}`, logs });
        }
      } catch {
        // not a log line
      }
    });
  });
}

/** Starts a node that is expected to refuse to start: resolves with its exit code and what it wrote to stderr. */
export function startRefusedNode(env: Record<string, string>, timeoutMs = 90_000): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the node neither started nor exited in time'));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Stops every node still running (SIGTERM, by its pid) and waits until each has exited. */
export function stopNodes(nodes: NodeProcess[]): Promise<unknown[]> {
  return Promise.all(
    nodes.map(
      (n) =>
        new Promise((resolve) =>
          n.child.exitCode !== null || n.child.signalCode !== null ? resolve(null) : (n.child.once('exit', resolve), n.child.kill('SIGTERM')),
        ),
    ),
  );
}

/**
 * What every test node shares: a free port on loopback, the suite's Postgres and Redis (under
 * `redisPrefix`, so nodes of one file see each other and no other file's), `secret` for sessions
 * (the test signs cookies with it too), one media worker, no demo data. A test adds its own.
 */
export function testNodeEnv(redisPrefix: string, secret: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: redisPrefix,
    AUTH_SECRET: secret,
    SEED_DEMO: 'false',
    MEDIA_WORKERS: '1',
    MEDIASOUP_WORKER_BIN: inject('workerBin'),
    LOG_LEVEL: 'info',
  };
}

/** A node's Prometheus gauge or counter (`fairground_<name>`), NaN when it is not exported. */
export async function nodeMetric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^fairground_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}
