import { type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, createAuth, type Database } from '@fairground/db';
import { ensureWebBuild, WEB_HANDLER } from '../scripts/prepare.mjs';
import { fixtures } from './fixtures.ts';
import { startNode, stopNodes, testNodeEnv, type NodeProcess } from './node-process.ts';
import { sessionCookie } from './helpers.ts';
import { launchFakeCameraChromium, openTrackedPage } from './browser-pages.ts';

/** Frames decoded per inbound video stream (by peer connection and stats id) on the page. */
function framesByStream(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const video: Record<string, number> = {};
    for (const [i, pc] of (window.__peerConnections ?? []).entries()) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') video[`${i}:${String(r.id)}`] = Number(r.framesDecoded ?? 0);
      });
    }
    return video;
  });
}

/** Frames decoded on video streams the page did not have in `before` (a new consumer after a move). */
const framesOnNewStreams = async (page: Page, before: Record<string, number>) =>
  Object.entries(await framesByStream(page))
    .filter(([id]) => !(id in before))
    .reduce((sum, [, frames]) => sum + frames, 0);

const metric = async (url: string, name: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^fairground_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
};

/**
 * Split roles through the real pages: a signaling-only `main.ts` serving the built SvelteKit app
 * and two media-only ones (one Redis, one Postgres), Chromium with a fake camera. A host goes live
 * on the broadcast page and an anonymous viewer presses Watch, both on the signaling node; the
 * room is placed on a media node. That media node is SIGKILLed: the pages are told
 * `media:room-reset`, join again and republish by themselves, the room lands on the other media
 * node, and the viewer's page (never reloaded) decodes frames of the new stream.
 */
describe('split roles through the real pages', () => {
  const nodes: NodeProcess[] = [];
  const contexts: BrowserContext[] = [];
  const prefix = `${inject('redisPrefix')}rp`;
  let database: Database;
  let browser: Browser;
  let redis: RedisClientType;
  let broadcastId: string;
  let hostCookie: string;

  const open = (url: string, cookie?: string): Promise<Page> => openTrackedPage(browser, contexts, url, cookie);

  beforeAll(async () => {
    ensureWebBuild();
    const secret = 'r'.repeat(32);
    const env = {
      ...testNodeEnv(prefix, secret),
      NODE_ENV: 'test',
      // The production defaults: Chromium and three nodes on two shared cores stall at times.
      NODE_HEARTBEAT_MS: '1000',
      NODE_TTL_MS: '5000',
    };
    nodes.push(
      ...(await Promise.all([
        startNode({ ...env, NODE_ID: 'sig', NODE_ROLES: 'signaling', WEB_HANDLER }),
        startNode({ ...env, NODE_ID: 'm1', NODE_ROLES: 'media' }),
        startNode({ ...env, NODE_ID: 'm2', NODE_ROLES: 'media' }),
      ])),
    );
    redis = createClient({ url: inject('redisUrl') }) as RedisClientType;
    await redis.connect();
    database = await connect({ url: inject('databaseUrl'), migrate: false });
    const f = fixtures(database.db);
    const host = await f.account('employer', 'split-pages-host');
    broadcastId = (await f.onAirBroadcast(host.id)).id;
    const auth = createAuth(database.db, { secret, baseURL: nodes[0]!.url, attemptsPerMinute: 1000 });
    hostCookie = await sessionCookie(auth, host.email);
    browser = await launchFakeCameraChromium();
  }, 600_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await stopNodes(nodes);
    await redis?.close();
    await database?.close();
  });

  it('a host goes live and a viewer watches through a signaling-only node; the room’s media node dies and the pages carry on on the other', async () => {
    const [signaling, m1, m2] = [nodes[0]!, nodes[1]!, nodes[2]!];
    const roomId = `broadcast:${broadcastId}`;
    const placedOn = async () => (await redis.get(`${prefix}:media-room:room:${roomId}`)) ?? '';

    const host = await open(`${signaling.url}/broadcasts/${broadcastId}`, hostCookie);
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible(), { timeout: 30_000 }).toBe(true);
    const viewer = await open(`${signaling.url}/broadcasts/${broadcastId}`);
    await viewer.getByRole('button', { name: 'Watch' }).click();
    await expect.poll(async () => framesOnNewStreams(viewer, {}), { timeout: 30_000, interval: 250 }).toBeGreaterThan(10);
    const first = await placedOn();
    const [dying, survivor] = first.startsWith('m1-') ? [m1, m2] : [m2, m1];
    expect(first).toMatch(/^m[12]-/);
    expect(await metric(dying.url, 'media_producers')).toBe(2); // camera and microphone
    expect(await metric(survivor.url, 'media_producers')).toBe(0);

    const before = await framesByStream(viewer);
    const killedAt = Date.now();
    process.kill(dying.child.pid!, 'SIGKILL');
    const deadline = killedAt + 60_000;
    while ((await framesOnNewStreams(viewer, before)) === 0) {
      expect(Date.now(), 'frames again within the hang guard').toBeLessThan(deadline);
      await viewer.waitForTimeout(100);
    }
    const back = Date.now() - killedAt;
    const reset = signaling.logs.find((l) => l.msg === 'a room’s media node died; its peers join again' && Number(l.time) >= killedAt);
    console.log(
      `[roles] media node SIGKILLed under a live broadcast (NODE_HEARTBEAT_MS 1000, NODE_TTL_MS 5000): room reset after ${reset ? `${Number(reset.time) - killedAt} ms` : 'not logged'}; the viewer's page decodes the republished camera ${back} ms after the kill`,
    );
    expect(await placedOn()).toMatch(survivor === m1 ? /^m1-/ : /^m2-/);
    await expect.poll(() => metric(survivor.url, 'media_producers'), { timeout: 10_000 }).toBe(2);
    // Nobody reloaded; the host is still live.
    for (const page of [host, viewer]) expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible()).toBe(true);
  }, 300_000);
});
