import { type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, createAuth, type Database } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { startNode, stopNodes, testNodeEnv, type NodeProcess, nodeMetric } from './node-process.ts';
import { connectTestClient, send, sessionCookie, waitFor, type TestClient } from './helpers.ts';
import { buildMediaPageBundle, launchFakeCameraChromium, openBundlePage } from './browser-pages.ts';

const ms = (n: number) => `${n.toFixed(0)} ms`;

type Fg = {
  publish(b: string): Promise<{ producerId: string }>;
  watch(b: string): Promise<{ consumeMs: number; firstFrameMs: number; producerId: string }>;
  viewed(): Promise<{ framesDecoded: number; closed: string[] }>;
};

/**
 * Split roles on real processes (NODE_ROLES): a signaling-only node (pages' sockets, no mediasoup
 * workers) and media-only nodes (workers, no sockets or pages) sharing one Redis and Postgres.
 * Chromium publishes a fake camera and a second Chromium page decodes it, both talking only to
 * the signaling node, whose media calls go over Redis to the media node. Then that media node is
 * SIGKILLed with a second one running: a call in flight is answered UNAVAILABLE at once, the
 * room's peers are told `media:room-reset` once its heartbeat expires, and publishing and watching
 * again land on the surviving media node, with frames decoded again. That one is then stopped
 * (SIGTERM) with a third running: its peers are told to join again at once. Last, the signaling
 * node is SIGKILLed and the media node closes what its peers held.
 */
describe('split roles: one signaling-only node, media-only nodes', () => {
  const nodes: NodeProcess[] = [];
  const clients: TestClient[] = [];
  let database: Database;
  let browser: Browser;
  let bundle: string;
  let boothId: string;
  let staffCookie: string;
  let seekerCookie: string;
  let env: Record<string, string>;

  const page = (node: NodeProcess, cookie: string): Promise<Page> => openBundlePage(browser, node.url, cookie, bundle);
  const fg = (p: Page) => ({
    publish: (id: string) => p.evaluate((i) => (window as never as { fg: Fg }).fg.publish(i), id),
    watch: (id: string) => p.evaluate((i) => (window as never as { fg: Fg }).fg.watch(i), id),
    viewed: () => p.evaluate(() => (window as never as { fg: Fg }).fg.viewed()),
  });

  beforeAll(async () => {
    const secret = 'x'.repeat(32);
    env = {
      ...testNodeEnv(`${inject('redisPrefix')}r`, secret),
      NODE_HEARTBEAT_MS: '250',
      NODE_TTL_MS: '1500',
      NODE_REQUEST_TIMEOUT_MS: '3000',
    };
    const [signaling, media, built] = await Promise.all([
      startNode({ ...env, NODE_ID: 'sig', NODE_ROLES: 'signaling' }),
      startNode({ ...env, NODE_ID: 'media1', NODE_ROLES: 'media' }),
      buildMediaPageBundle(),
    ]);
    nodes.push(signaling, media);
    bundle = built;
    database = await connect({ url: inject('databaseUrl'), migrate: false });
    const f = fixtures(database.db);
    const { booths } = await f.liveFair({ employers: ['Split'] });
    boothId = booths.Split.id;
    const auth = createAuth(database.db, { secret, baseURL: signaling.url, attemptsPerMinute: 1000 });
    staffCookie = await sessionCookie(auth, booths.Split.owner.email);
    seekerCookie = await sessionCookie(auth, (await f.account('seeker', 'split-visitor')).email);
    browser = await launchFakeCameraChromium();
  }, 120_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await browser?.close();
    await stopNodes(nodes);
    await database?.close();
  });

  it('the media node serves only /healthz and /metrics; the signaling node runs no workers', async () => {
    const [signaling, media] = [nodes[0]!, nodes[1]!];
    expect((await fetch(`${media.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${media.url}/`)).status).toBe(404);
    expect((await fetch(`${media.url}/socket.io/?EIO=4&transport=polling`)).status).toBe(404);
    expect(await nodeMetric(media.url, 'media_workers_alive')).toBe(1);
    // The signaling node is healthy because a media node is alive, not because of workers of its own.
    expect(await (await fetch(`${signaling.url}/healthz`)).json()).toMatchObject({ checks: { media: 'ok' } });
    expect(await nodeMetric(signaling.url, 'media_workers')).toBe(0);
  });

  it('a host publishes and a viewer decodes frames through the signaling node; the media node dies and media comes back on another', async () => {
    const [signaling, media1] = [nodes[0]!, nodes[1]!];
    const host = fg(await page(signaling, staffCookie));
    const { producerId } = await host.publish(boothId);
    const viewerPage = await page(signaling, seekerCookie);
    const viewer = fg(viewerPage);
    const watched = await viewer.watch(boothId);
    expect(watched.producerId).toBe(producerId);
    const frames = (await viewer.viewed()).framesDecoded;
    await expect.poll(async () => (await viewer.viewed()).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(frames + 10);
    console.log(
      `[roles] signaling-only node -> media-only node: consume answered in ${ms(watched.consumeMs)}, first decoded frame ${ms(watched.firstFrameMs)} after it`,
    );
    // The media is on the media node: the host's and the viewer's transports, the producer, the consumer.
    expect(await nodeMetric(media1.url, 'media_producers')).toBe(1);
    expect(await nodeMetric(media1.url, 'media_consumers')).toBe(1);
    expect(await nodeMetric(media1.url, 'media_transports')).toBe(2);

    // A socket-level visitor with a receive transport of its own in the room (a peer on media1).
    const visitor = await connectTestClient(signaling.url, { cookie: seekerCookie });
    clients.push(visitor);
    const joined = await send<{ roomId: string; producers: Array<{ id: string }> }>(visitor, 'booth:join', { boothId });
    expect(joined).toMatchObject({ ok: true, data: { producers: [{ id: producerId }] } });
    const roomId = joined.ok ? joined.data.roomId : '';
    const created = await send<{ id: string }>(visitor, 'media:transport-create', { roomId, direction: 'recv' });
    expect(created.ok).toBe(true);
    const transportId = created.ok ? created.data.id : '';

    // A second media node joins; then the first dies.
    const media2 = await startNode({ ...env, NODE_ID: 'media2', NODE_ROLES: 'media' });
    nodes.push(media2);
    let resetMs = NaN;
    const reset = waitFor(visitor, 'media:room-reset', (p) => p.roomId === roomId, 15_000).then(() => (resetMs = performance.now() - killedAt));
    const killedAt = performance.now();
    process.kill(media1.child.pid!, 'SIGKILL');
    // A call to the dead node is answered with a code, not left hanging: at once when its channel
    // has no subscriber any more, else when its heartbeat is found expired, and at the latest after
    // NODE_REQUEST_TIMEOUT_MS (3 s here; `send` itself gives up after 5 s, so an answer at all shows
    // the bound held). It runs beside what follows.
    const probe = send(visitor, 'media:transport-restart-ice', { roomId, transportId }).then((answer) => ({ answer, ms: performance.now() - killedAt }));
    await reset;

    // What the pages do on media:room-reset: join again and publish again; the room is placed on
    // the surviving media node, and a viewer decodes frames again.
    const again = await host.publish(boothId);
    const second = await viewer.watch(boothId);
    expect(second.producerId).toBe(again.producerId);
    const back = performance.now() - killedAt;
    const frames2 = (await viewer.viewed()).framesDecoded;
    await expect.poll(async () => (await viewer.viewed()).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(frames2 + 10);
    console.log(
      `[roles] media node SIGKILLed: the room's peers told media:room-reset in ${ms(resetMs)} (NODE_TTL_MS 1500); republished on the second media node, a viewer's first decoded frame ${ms(back)} after the kill (${ms(second.firstFrameMs)} after its consume)`,
    );
    const probed = await probe;
    expect(probed.answer).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    console.log(`[roles] a call to the dead media node answered UNAVAILABLE ${ms(probed.ms)} after the kill (NODE_TTL_MS 1500, NODE_REQUEST_TIMEOUT_MS 3000)`);
    expect(await nodeMetric(media2.url, 'media_producers')).toBe(1);
    expect(await nodeMetric(media2.url, 'media_consumers')).toBe(1);

    // media2 is stopped (SIGTERM, a media node taken out) with a third one running: its peers are
    // told to join again at once, not after its heartbeat expires.
    const onMedia2 = await send<{ id: string }>(visitor, 'media:transport-create', { roomId, direction: 'recv' });
    expect(onMedia2.ok).toBe(true);
    const media3 = await startNode({ ...env, NODE_ID: 'media3', NODE_ROLES: 'media' });
    nodes.push(media3);
    const stoppedAt = performance.now();
    const told = waitFor(visitor, 'media:room-reset', (p) => p.roomId === roomId, 15_000);
    const exited = new Promise((resolve) => media2.child.once('exit', resolve));
    media2.child.kill('SIGTERM');
    await told;
    console.log(`[roles] media node stopped (SIGTERM): its room's peers told media:room-reset in ${ms(performance.now() - stoppedAt)}`);
    expect(await exited).toBe(0);
    // Published again, the room is on media3.
    await host.publish(boothId);
    await expect.poll(() => nodeMetric(media3.url, 'media_producers'), { timeout: 10_000 }).toBe(1);
    // Told by media2 itself: once its heartbeat has expired and it was swept, the signaling node
    // found no room of its own still on media2 to reset.
    const about = (msg: string) => signaling.logs.filter((l) => l.msg === msg && String(l.node).startsWith('media2-'));
    await expect.poll(() => about('swept a dead node').length, { timeout: 15_000 }).toBe(1);
    expect(about('a room’s media node died; its peers join again')).toEqual([]);

    // The signaling node dies: the media node finds its heartbeat gone and closes its peers' media
    // (nobody else would: the peers' sockets were on it).
    expect(await nodeMetric(media3.url, 'media_transports')).toBeGreaterThan(0);
    process.kill(signaling.child.pid!, 'SIGKILL');
    await expect.poll(() => nodeMetric(media3.url, 'media_transports'), { timeout: 10_000 }).toBe(0);
    expect(await nodeMetric(media3.url, 'media_rooms')).toBe(0);
  }, 180_000);
});
