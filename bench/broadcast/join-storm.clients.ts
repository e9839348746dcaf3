/**
 * One client process of the join storm bench (join-storm.ts forks several): it holds a share of the
 * simulated viewers (socket.io-client connections), so 5,000 sockets are spread over processes and
 * cores and the bench's own client is not what starves. Driven over IPC by the parent, one command
 * at a time; times are sent as epoch milliseconds (`timeOrigin + now()`, sub-millisecond), the same
 * clock in every process.
 */
import { performance } from 'node:perf_hooks';
import { setPriority } from 'node:os';
import { io, type Socket } from 'socket.io-client';

/** What the parent asks for. */
export type ClientCommand =
  | { cmd: 'setup'; viewers: Array<{ index: number; url: string; deviceId: string }>; broadcastId: string; expected: number; nice: number }
  | { cmd: 'connect' }
  | { cmd: 'join' }
  | { cmd: 'storm'; t0: number; spreadMs: number; total: number }
  | { cmd: 'seen'; timeoutMs: number }
  | { cmd: 'close' };

/** Per viewer, in the order given at setup. */
export interface ClientReport {
  ackAt: number[];
  ready: boolean[];
  seenAt: number[];
  last: number[];
  retries: number;
  failures: Array<[string, number]>;
  disconnects: Array<[string, number]>;
  stray: number;
  cpuMs: number;
}

export type ClientReply = { reply: 'done'; report: ClientReport } | { reply: 'progress'; connected: number; answered: number };

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const send = (m: ClientReply) => process.send!(m);

type JoinAck = { ok: true; data: { viewers: number; routerRtpCapabilities?: { codecs?: unknown[] } } } | { ok: false; error: { code: string } };

interface Viewer {
  socket: Socket;
  ackAt: number;
  ready: boolean;
  seenAt: number;
  retries: number;
  last: number;
}

let viewers: Array<Viewer & { index: number }> = [];
let broadcastId = '';
let expected = 0;
let closing = false;
let stray = 0;
const failures = new Map<string, number>();
const disconnects = new Map<string, number>();
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
// A client starved of CPU long enough trips socket.io-client's own timers; counted, not fatal.
process.on('uncaughtException', () => void stray++);

function viewer(url: string, deviceId: string): Viewer {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false, timeout: 120_000, auth: { deviceId } });
  const v: Viewer = { socket, ackAt: 0, ready: false, seenAt: 0, retries: 0, last: -1 };
  socket.on('disconnect', (reason) => {
    if (!closing) bump(disconnects, reason);
  });
  socket.on('room:viewers', (p: { live: number }) => {
    v.last = p.live;
    if (p.live === expected) v.seenAt ||= now();
    else v.seenAt = 0;
  });
  return v;
}

async function join(v: Viewer): Promise<void> {
  const r = (await v.socket.timeout(120_000).emitWithAck('broadcast:join', { broadcastId })) as JoinAck;
  if (!r.ok) throw new Error(`join refused: ${r.error.code}`);
  v.ackAt = now();
  // Ready to receive: what the client needs to load its device and create its receive transport.
  v.ready = (r.data.routerRtpCapabilities?.codecs?.length ?? 0) > 0;
  if (r.data.viewers === expected) v.seenAt ||= v.ackAt;
}

/** Connects, retrying a BUSY refusal after its hint (plus jitter), as the web client does. */
function open(v: Viewer): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      v.socket.once('connect', () => {
        v.socket.off('connect_error');
        resolve();
      });
      v.socket.once('connect_error', (err: Error & { data?: { code?: string; retryAfterMs?: number } }) => {
        v.socket.off('connect');
        if (err.data?.code !== 'BUSY' || v.retries > 30) return reject(err);
        v.retries++;
        setTimeout(attempt, (err.data.retryAfterMs ?? 1000) * (0.5 + Math.random()));
      });
      v.socket.connect();
    };
    attempt();
  });
}

const failed = (err: unknown) => void bump(failures, String(err));

function report(): ClientReport {
  const cpu = process.cpuUsage();
  return {
    ackAt: viewers.map((v) => v.ackAt),
    ready: viewers.map((v) => v.ready),
    seenAt: viewers.map((v) => v.seenAt),
    last: viewers.map((v) => v.last),
    retries: viewers.reduce((s, v) => s + v.retries, 0),
    failures: [...failures],
    disconnects: [...disconnects],
    stray,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', async (m: ClientCommand) => {
  if (m.cmd === 'setup') {
    if (m.nice) setPriority(m.nice);
    broadcastId = m.broadcastId;
    expected = m.expected;
    // The same object the socket's listeners update (a spread copy would never see a count).
    viewers = m.viewers.map((s) => Object.assign(viewer(s.url, s.deviceId), { index: s.index }));
  } else if (m.cmd === 'connect') {
    for (let i = 0; i < viewers.length; i += 100) await Promise.all(viewers.slice(i, i + 100).map((v) => open(v).catch(failed)));
  } else if (m.cmd === 'join') {
    await Promise.all(viewers.map((v) => join(v).catch(failed)));
  } else if (m.cmd === 'storm') {
    const progress = setInterval(
      () => send({ reply: 'progress', connected: viewers.filter((v) => v.socket.connected).length, answered: viewers.filter((v) => v.ackAt).length }),
      2000,
    );
    await Promise.all(
      viewers.map(async (v) => {
        // Arrivals evenly over the spread, by the viewer's place among all the bench's viewers.
        await sleep(m.t0 + (m.spreadMs * v.index) / m.total - now());
        try {
          await open(v);
          await join(v);
        } catch (err) {
          failed(err);
        }
      }),
    ).finally(() => clearInterval(progress));
  } else if (m.cmd === 'seen') {
    const until = now() + m.timeoutMs;
    while (viewers.some((v) => !v.seenAt) && now() < until) await sleep(20);
  } else if (m.cmd === 'close') {
    closing = true;
    for (const v of viewers) v.socket.disconnect();
  }
  send({ reply: 'done', report: report() });
  if (m.cmd === 'close') setTimeout(() => process.exit(0), 100);
});
