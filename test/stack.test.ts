// The deployment shape (issue 17) on real processes: Caddy terminating TLS with its local CA and
// balancing two app nodes with a sticky cookie, coturn handing out relays for the app's
// time-limited credentials, and Chromium driving the real pages through https. The same stack
// `npm run stack` starts (scripts/stack-lib.mjs). Media between nodes is another issue's work: here
// both browsers of the media check share one node (the second gets the first one's sticky cookie).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintTurnCredential } from '@fairground/core';
import { DEMO_PASSWORD } from '@fairground/demo';
import { ensureWebBuild, WEB_HANDLER } from '../scripts/prepare.mjs';
import { startStack, type Stack } from '../scripts/stack-lib.mjs';

const RELAY_ONLY_KEY = 'fairground.iceTransportPolicy'; // web/src/lib/realtime/room-media.ts

declare global {
  interface Window {
    __peerConnections?: RTCPeerConnection[];
  }
}

let stack: Stack;
let browser: Browser;
// A database of this file's own, seeded with the demo by the first node: the booth and the line it
// uses are nobody else's while other test files run on the run's shared one.
const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseName = `fairground_stack_${process.pid}_${Date.now()}`;

beforeAll(async () => {
  ensureWebBuild();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${databaseName}"`);
  await admin.end();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${databaseName}`;
  stack = await startStack({
    nodes: 2,
    databaseUrl: databaseUrl.toString(),
    redisUrl: inject('redisUrl'),
    workerBin: inject('workerBin'),
    webHandler: WEB_HANDLER,
    quiet: true,
    log: (line) => process.stderr.write(`[stack] ${line}\n`),
    env: {
      NODE_ENV: 'test',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      REDIS_PREFIX: `${inject('redisPrefix')}stack`,
      AUTH_ATTEMPTS_PER_MINUTE: '100',
    },
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--no-sandbox',
      '--disable-gpu',
    ],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
  await admin.end();
}, 60_000);

/** A browser profile on the stack; Caddy's local CA is not installed in it, so TLS errors are ignored explicitly. */
async function newContext({ relayOnly = false } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: stack.url, ignoreHTTPSErrors: true, locale: 'en-US', permissions: ['camera', 'microphone'] });
  await context.addInitScript(
    ({ key, relay }) => {
      if (relay) localStorage.setItem(key, 'relay');
      const Native = window.RTCPeerConnection;
      window.__peerConnections = [];
      window.RTCPeerConnection = class extends Native {
        constructor(config?: RTCConfiguration) {
          super(config);
          window.__peerConnections!.push(this);
        }
      } as typeof RTCPeerConnection;
    },
    { key: RELAY_ONLY_KEY, relay: relayOnly },
  );
  return context;
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel(/Email/).fill(email);
  await page.getByLabel(/Password/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Sign in/ }).click();
  await page.getByText(/Signed in as/).waitFor();
}

/** Polls until fn returns a truthy value (a hang guard, not a speed check). */
async function until<T>(fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Decoded video frames over the page's peer connections. */
const framesDecoded = (page: Page) =>
  page.evaluate(async () => {
    let frames = 0;
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += Number(r.framesDecoded ?? 0);
      });
    }
    return frames;
  });

/** The local candidate type of each connected transport's selected pair (host, srflx, relay). */
const selectedLocalCandidateTypes = (page: Page) =>
  page.evaluate(async () => {
    const types: string[] = [];
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      stats.forEach((r: Record<string, unknown>) => {
        if (r.type !== 'transport' || typeof r.selectedCandidatePairId !== 'string') return;
        const pair = stats.get(r.selectedCandidatePairId) as { localCandidateId: string } | undefined;
        const local = pair && (stats.get(pair.localCandidateId) as { candidateType?: string } | undefined);
        types.push(local?.candidateType ?? 'unknown');
      });
    }
    return types;
  });

/** The ICE servers the app configured its connected peer connections with (mediasoup-client also makes a bare one to probe capabilities). */
const configuredIceServers = (page: Page) =>
  page.evaluate(() => (window.__peerConnections ?? []).filter((pc) => pc.connectionState === 'connected').map((pc) => pc.getConfiguration().iceServers ?? []));

/**
 * Relay candidates a bare peer connection gathers from the stack's coturn with these credentials:
 * what coturn thinks of them (none when it refuses the allocation).
 */
function relayCandidates(page: Page, server: { urls: string[]; username: string; credential: string }): Promise<number> {
  return page.evaluate(async (iceServer) => {
    const pc = new RTCPeerConnection({ iceServers: [iceServer], iceTransportPolicy: 'relay' });
    let relays = 0;
    pc.onicecandidate = (e) => {
      if (e.candidate?.type === 'relay') relays++;
    };
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 8000);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    pc.close();
    return relays;
  }, server);
}

describe('the deployment shape: Caddy (TLS, sticky) + coturn + two nodes', () => {
  it('serves https through Caddy and spreads new clients over both nodes, each kept on its own', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    expect(page.url()).toMatch(/^https:\/\/localhost:\d+\/$/);
    expect(response?.headers()['server']).toBe('Caddy');
    // The sticky cookie names an upstream; fresh clients land on both.
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const fresh = await browser.newContext({ ignoreHTTPSErrors: true });
      const r = await fresh.request.get(`${stack.url}/healthz`);
      const cookie = (r.headers()['set-cookie'] ?? '').match(/fg_node=([0-9a-f]+)/)?.[1];
      if (cookie) seen.add(cookie);
      await fresh.close();
    }
    expect(seen.size).toBe(2);
    // A client with a cookie keeps it: no new cookie, the same node.
    const again = await context.request.get(`${stack.url}/healthz`);
    expect(again.headers()['set-cookie'] ?? '').not.toMatch(/fg_node=/);
    await context.close();
  });

  it('coturn relays only for credentials the app signed that have not expired', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto('/');
    const now = Math.floor(Date.now() / 1000);
    const urls = stack.turnUrls.filter((u) => u.includes('transport=udp'));
    const valid = { urls, ...mintTurnCredential(stack.turnSecret, 'probe', now + 600) };
    const expired = { urls, ...mintTurnCredential(stack.turnSecret, 'probe', now - 60) };
    const forged = { urls, ...mintTurnCredential('not-the-secret-'.repeat(3), 'probe', now + 600) };
    expect(await relayCandidates(page, valid)).toBeGreaterThan(0);
    expect(await relayCandidates(page, expired)).toBe(0);
    expect(await relayCandidates(page, forged)).toBe(0);
    await context.close();
  }, 60_000);

  it('a booth stream decodes over https, forced through the TURN relay and directly', async () => {
    // The employer goes live, forced to relay as behind a UDP-blocking firewall.
    const employerContext = await newContext({ relayOnly: true });
    const employer = await employerContext.newPage();
    await signIn(employer, 'employer@example.com');
    await employer.getByRole('link', { name: 'Enter the fair' }).first().click();
    await employer.getByRole('link', { name: /Visit booth: .*Xinghe/ }).click();
    await employer.waitForURL(/\/booths\//);
    const boothUrl = employer.url();
    await employer.getByRole('button', { name: 'Go live' }).click();
    await employer.getByRole('button', { name: 'End broadcast' }).waitFor();
    // Same node as the employer (cross-node media is not on this branch): share the sticky cookie.
    const sticky = (await employerContext.cookies()).filter((c) => c.name === 'fg_node');
    expect(sticky).toHaveLength(1);

    const watch = async (relayOnly: boolean) => {
      const context = await newContext({ relayOnly });
      await context.addCookies(sticky);
      const page = await context.newPage();
      await signIn(page, 'seeker@example.com');
      const started = performance.now();
      await page.goto(boothUrl);
      await until(async () => (await framesDecoded(page)) > 0, 60_000);
      const ttff = Math.round(performance.now() - started);
      const first = await framesDecoded(page);
      await page.waitForTimeout(1500);
      expect(await framesDecoded(page), 'frames keep decoding').toBeGreaterThan(first + 5);
      return { context, page, ttff };
    };

    const relayed = await watch(true);
    expect(await selectedLocalCandidateTypes(relayed.page)).toEqual(['relay']);
    expect(await until(async () => (await selectedLocalCandidateTypes(employer)).length > 0 && selectedLocalCandidateTypes(employer))).toEqual(['relay']);
    // The app handed out the stack's TURN with a time-limited username (<expiry>:<user id>).
    const [servers] = await configuredIceServers(relayed.page);
    expect(servers![0]!.urls).toEqual(stack.turnUrls);
    const expiry = Number(String(servers![0]!.username).split(':')[0]);
    expect(expiry - Date.now() / 1000).toBeGreaterThan(3500);
    expect(expiry - Date.now() / 1000).toBeLessThanOrEqual(3600);

    const direct = await watch(false);
    expect(await selectedLocalCandidateTypes(direct.page)).not.toContain('relay');
    process.stderr.write(`[stack] time to first frame through Caddy: relay ${relayed.ttff} ms, direct ${direct.ttff} ms (from navigation, signed in)\n`);

    await employer.getByRole('button', { name: 'End broadcast' }).click();
    await relayed.context.close();
    await direct.context.close();
    await employerContext.close();
  }, 180_000);

  it('a seeker and a recruiter interview each other over https, both forced through the TURN relay', async () => {
    // The recruiter goes on duty at their booth, behind a "firewall": relay only.
    const recruiterContext = await newContext({ relayOnly: true });
    const recruiter = await recruiterContext.newPage();
    await signIn(recruiter, 'employer3@example.com');
    await recruiter.getByRole('link', { name: 'Enter the fair' }).first().click();
    await recruiter.getByRole('link', { name: /Visit booth: .*Shunda/ }).click();
    await recruiter.waitForURL(/\/booths\//);
    const boothUrl = recruiter.url();
    await recruiter.getByRole('button', { name: 'Go on duty' }).click();
    await recruiter.getByText('On duty', { exact: true }).waitFor();

    // The seeker, also relay only, on the recruiter's node (cross-node media is not on this branch).
    const seekerContext = await newContext({ relayOnly: true });
    await seekerContext.addCookies((await recruiterContext.cookies()).filter((c) => c.name === 'fg_node'));
    const seeker = await seekerContext.newPage();
    await signIn(seeker, 'seeker@example.com');
    await seeker.goto(boothUrl);
    await seeker.getByRole('button', { name: 'Join the line' }).click();
    await seeker.getByTestId('queue-place').getByText('You are next').waitFor();
    await recruiter.getByRole('button', { name: 'Call next' }).click();
    const dialog = seeker.getByRole('alertdialog', { name: /A recruiter is calling you/ });
    const accepted = performance.now();
    await dialog.getByRole('button', { name: 'Accept and join' }).click();
    await seeker.waitForURL(/\/interviews\//);
    await recruiter.waitForURL(/\/interviews\//);

    // Frames decode on both sides, over relay pairs only.
    for (const page of [seeker, recruiter]) await until(async () => (await framesDecoded(page)) > 0, 60_000);
    const ttff = Math.round(performance.now() - accepted);
    for (const page of [seeker, recruiter]) {
      const first = await framesDecoded(page);
      await page.waitForTimeout(1500);
      expect(await framesDecoded(page), 'frames keep decoding').toBeGreaterThan(first + 5);
      const types = await selectedLocalCandidateTypes(page);
      expect(types.length).toBeGreaterThan(0);
      expect(new Set(types)).toEqual(new Set(['relay']));
    }
    process.stderr.write(`[stack] interview through the TURN relay: both sides decoding ${ttff} ms after the seeker accepted\n`);
    await seekerContext.close();
    await recruiterContext.close();
  }, 180_000);
});
