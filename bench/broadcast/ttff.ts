/// <reference lib="dom" />
/**
 * Time to first frame of a guidance broadcast, in Chromium on loopback: from a viewer's click on
 * "Watch" to the first decoded video frame, over repeated joins (a fresh browser context each).
 *
 * The baseline, measured in the same run and the same browser: two RTCPeerConnections in one page
 * sending the fake camera to each other (offer/answer in-page, no server): the browser's own floor
 * for ICE + DTLS + the first decoded frame. Printed: p50/p95 of both and ours/baseline.
 *
 *   npx tsx bench/broadcast/ttff.ts [--joins 15] [--port 3190]
 *
 * Starts the platform like `npm start` (scripts/start.mjs: worker, web build) on a fresh embedded
 * database; an organizer schedules a broadcast hosted by the demo employer, who goes live.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from '@playwright/test';

const { values } = parseArgs({
  options: { joins: { type: 'string', default: '15' }, port: { type: 'string', default: '3190' } },
});
const joins = Number(values.joins);
const port = Number(values.port);
const base = `http://localhost:${port}`;
const log = (m: string) => process.stderr.write(`[ttff] ${m}\n`);

const server = spawn(process.execPath, ['scripts/start.mjs'], {
  cwd: new URL('../..', import.meta.url).pathname,
  env: {
    ...process.env,
    PORT: String(port),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'fairground-ttff-')),
    DATABASE_URL: '',
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
    CLOCK_INTERVAL_MS: '1000',
    AUTH_ATTEMPTS_PER_MINUTE: '120',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const stopServer = () => server.kill('SIGTERM');
process.on('exit', stopServer);

async function waitHealthy(): Promise<void> {
  const until = Date.now() + 240_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('platform did not start');
}

const wallTime = (ms: number) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(ms))
    .replace(' ', 'T');

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('fairground-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
  return page;
}

async function scheduleBroadcast(organizer: Page): Promise<string> {
  const title = `TTFF bench ${Date.now()}`;
  await organizer.goto(`${base}/organizer/broadcasts`);
  const form = organizer.locator('#new-broadcast');
  await form.getByLabel('Title', { exact: true }).fill(title);
  await form.getByLabel('Topic', { exact: true }).selectOption('career_planning');
  await form.getByLabel('Starts', { exact: true }).fill(wallTime(Date.now() - 5 * 60_000));
  await form.getByLabel('Ends', { exact: true }).fill(wallTime(Date.now() + 3600_000));
  await form.getByRole('button', { name: 'Create broadcast' }).click();
  const row = organizer.getByRole('listitem').filter({ has: organizer.getByRole('link', { name: title }) });
  await row.getByRole('button', { name: 'Publish' }).click();
  await organizer.getByRole('status').filter({ hasText: 'Broadcast published.' }).waitFor();
  await row.getByRole('link', { name: title, exact: true }).click();
  await organizer.waitForURL(/\/broadcasts\/[0-9a-f-]{36}$/);
  return organizer.url();
}

/**
 * Instruments the page without touching the app: records its peer connections (the first decoded
 * frame is read from their getStats) and timestamps what the breakdown needs: every Socket.IO
 * request sent and its ack (by ack id, from the websocket frames), and the peer connections'
 * ICE and connection states.
 */
// A string, not a function: tsx would wrap named functions in helpers the page does not have.
const INSTRUMENT = `(() => {
  const w = window;
  w.__pcs = [];
  w.__ev = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config) {
      super(config);
      w.__pcs.push(this);
      this.addEventListener('iceconnectionstatechange', () => w.__ev.push({ t: performance.now(), what: 'ice:' + this.iceConnectionState }));
      this.addEventListener('connectionstatechange', () => w.__ev.push({ t: performance.now(), what: 'pc:' + this.connectionState }));
    }
  };
  const NativeWs = window.WebSocket;
  window.WebSocket = class extends NativeWs {
    constructor(url, protocols) {
      super(url, protocols);
      // Registered before Socket.IO's own handler, so an ack is stamped before the app sees it.
      this.addEventListener('message', (e) => {
        const m = typeof e.data === 'string' ? /^4([23])(\\d*)\\[(?:"([^"]+)")?/.exec(e.data) : null;
        if (m && m[1] === '3') w.__ev.push({ t: performance.now(), what: 'ack#' + m[2] });
        else if (m && m[1] === '2' && m[3]) w.__ev.push({ t: performance.now(), what: 'push:' + m[3] });
      });
    }
    send(data) {
      const m = typeof data === 'string' ? /^42(\\d*)\\["([^"]+)"/.exec(data) : null;
      if (m) w.__ev.push({ t: performance.now(), what: 'req:' + m[2] + '#' + m[1] });
      super.send(data);
    }
  };
})();`;

/** One join: ms from the click to the first frame, and to each milestone on the way. */
interface Join {
  ms: number;
  /** Milestone -> ms after the click (absent when it did not happen). */
  at: Record<string, number>;
}

/**
 * Milestones of one join, from the recorded events: each request's ack (the last one of a kind,
 * so "consume" is when every consumer was created), the ICE and DTLS states, the first video RTP
 * packet and the first decoded frame.
 */
function milestones(events: Array<{ t: number; what: string }>, t0: number, firstPacket: number, firstFrame: number): Record<string, number> {
  const at: Record<string, number> = {};
  const pending = new Map<string, string>();
  for (const { t, what } of events) {
    if (t < t0) continue;
    const req = /^req:([^#]+)#(\d+)$/.exec(what);
    if (req) {
      pending.set(req[2]!, req[1]!);
      at[`${req[1]} sent`] ??= t - t0;
      continue;
    }
    const ack = /^ack#(\d+)$/.exec(what);
    if (ack && pending.has(ack[1]!)) {
      at[`${pending.get(ack[1]!)!} acked`] = t - t0;
      continue;
    }
    if (/^(ice:connected|pc:connected)$/.test(what)) at[what] ??= t - t0;
  }
  at['first video packet'] = firstPacket;
  at['first frame decoded'] = firstFrame;
  return at;
}

/** Clicks Watch and resolves with ms until inbound video has decoded a frame (polled every 5 ms). */
async function watchOnce(browser: Browser, url: string): Promise<Join> {
  const context = await browser.newContext();
  await context.addInitScript({ content: INSTRUMENT });
  const page = await context.newPage();
  await page.goto(url);
  // Enabled once the page has hydrated.
  await page.locator('button:has-text("Watch"):not([disabled])').waitFor();
  const result = await page.evaluate(async () => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __ev: Array<{ t: number; what: string }> };
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Watch')!;
    const t0 = performance.now();
    button.click();
    let firstPacket = -1;
    for (;;) {
      for (const pc of w.__pcs) {
        const stats = await pc.getStats();
        let decoded = 0;
        let packets = 0;
        stats.forEach((r: Record<string, unknown>) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') {
            decoded += Number(r.framesDecoded ?? 0);
            packets += Number(r.packetsReceived ?? 0);
          }
        });
        if (packets > 0 && firstPacket < 0) firstPacket = performance.now() - t0;
        if (decoded > 0) return { t0, ms: performance.now() - t0, firstPacket, events: w.__ev };
      }
      if (performance.now() - t0 > 30_000) return { t0, ms: -1, firstPacket, events: w.__ev };
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  await context.close();
  if (result.ms < 0) throw new Error('no frame within 30 s');
  return { ms: result.ms, at: milestones(result.events, result.t0, result.firstPacket, result.ms) };
}

/** The baseline: fake camera over a loopback peer-connection pair in one page, no server. */
async function loopbackOnce(browser: Browser): Promise<number> {
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  await page.goto(`${base}/healthz`);
  const ms = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } });
    const t0 = performance.now();
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
    for (const track of stream.getTracks()) a.addTrack(track, stream);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    for (;;) {
      const stats = await b.getStats();
      let decoded = 0;
      stats.forEach((r: Record<string, unknown>) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') decoded += Number(r.framesDecoded ?? 0);
      });
      if (decoded > 0) {
        const ms = performance.now() - t0;
        a.close();
        b.close();
        stream.getTracks().forEach((t) => t.stop());
        return ms;
      }
      if (performance.now() - t0 > 30_000) return -1;
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  await context.close();
  return ms;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

try {
  log('starting the platform (worker, web build) …');
  await waitHealthy();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--no-sandbox',
      '--disable-gpu',
    ],
  });
  // The organizer who creates a broadcast is its host (named co-hosts must first accept a mailed
  // invitation, which is not what this measures).
  const host = await signedIn(browser, 'organizer@example.com');
  const url = await scheduleBroadcast(host);
  await host.getByRole('button', { name: 'Go live' }).click();
  await host.getByRole('button', { name: 'End live stream' }).waitFor();
  log(`live at ${url}; ${joins} joins, each with its baseline`);

  const ours: number[] = [];
  const floor: number[] = [];
  const timelines: Array<Join['at']> = [];
  await watchOnce(browser, url); // warm-up: first page load compiles the app's scripts
  for (let i = 0; i < joins; i++) {
    // Alternate the order so both see the same machine load.
    if (i % 2) {
      floor.push(await loopbackOnce(browser));
      const join = await watchOnce(browser, url);
      ours.push(join.ms);
      timelines.push(join.at);
    } else {
      const join = await watchOnce(browser, url);
      ours.push(join.ms);
      timelines.push(join.at);
      floor.push(await loopbackOnce(browser));
    }
    log(`join ${i + 1}: watch ${ours.at(-1)!.toFixed(0)} ms, loopback ${floor.at(-1)!.toFixed(0)} ms`);
  }
  await browser.close();
  const row = (name: string, xs: number[]) => `${name.padEnd(28)} ${pct(xs, 50).toFixed(0).padStart(6)} ${pct(xs, 95).toFixed(0).padStart(6)}`;
  process.stdout.write(`\n${'time to first frame (ms)'.padEnd(28)} ${'p50'.padStart(6)} ${'p95'.padStart(6)}\n`);
  process.stdout.write(`${row('Watch click -> frame (ours)', ours)}\n${row('loopback pc pair (baseline)', floor)}\n`);
  process.stdout.write(
    `${'ours / baseline'.padEnd(28)} ${(pct(ours, 50) / pct(floor, 50)).toFixed(2).padStart(6)} ${(pct(ours, 95) / pct(floor, 95)).toFixed(2).padStart(6)}\n`,
  );
  // Where the time went: each milestone's median time after the click, in the order they happen.
  const names = [...new Set(timelines.flatMap((t) => Object.keys(t)))];
  const medians = names
    .map((name) => ({ name, xs: timelines.map((t) => t[name]).filter((x): x is number => x !== undefined && x >= 0) }))
    .filter((m) => m.xs.length > 0)
    .map((m) => ({ name: m.name, p50: pct(m.xs, 50), p95: pct(m.xs, 95), n: m.xs.length }))
    .sort((a, b) => a.p50 - b.p50);
  process.stdout.write(`\n${'milestone (ms after the click)'.padEnd(40)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'n'.padStart(4)}\n`);
  for (const m of medians) {
    process.stdout.write(`${m.name.padEnd(40)} ${m.p50.toFixed(0).padStart(6)} ${m.p95.toFixed(0).padStart(6)} ${String(m.n).padStart(4)}\n`);
  }
} finally {
  stopServer();
}
