import { type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, createAuth, schema, type Database } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { startNode, stopNodes, testNodeEnv, type NodeProcess, nodeMetric } from './node-process.ts';
import { connectTestClient, send, sessionCookie, waitFor, type TestClient } from './helpers.ts';
import { buildMediaPageBundle, launchFakeCameraChromium, openBundlePage } from './browser-pages.ts';

type Node = NodeProcess;

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** The node's latest log of a producer brought from node `from` (its NODE_ID; the incarnation adds a suffix). */
const broughtFrom = (node: Node, from: string) =>
  node.logs.filter((l) => l.msg === 'brought a producer from another node' && String(l.from).startsWith(`${from}-`)).at(-1);

/**
 * Media across nodes on real processes: three signaling nodes (main.ts) sharing Redis and Postgres.
 * A booth's staff member publishes a fake camera from Chromium on node A; a visitor in Chromium on
 * node B is listed the producer at its join, consumes it (node B brings it over a pipe from A) and
 * decodes frames (then one on node C too). A close on A reaches B's visitors; then node A is killed,
 * and B's visitors are told its producer closed once A's heartbeat expired; B and C close their imports.
 */
describe('media across three signaling processes', () => {
  const nodes: Node[] = [];
  const clients: TestClient[] = [];
  let database: Database;
  let browser: Browser;
  let bundle: string;
  let boothId: string;
  let staffCookie: string;
  let seekerCookie: string;
  let interviewSeekerCookie: string;
  let interviewId: string;

  const page = (node: Node, cookie: string): Promise<Page> => openBundlePage(browser, node.url, cookie, bundle);

  beforeAll(async () => {
    const secret = 'x'.repeat(32);
    const env = {
      ...testNodeEnv(`${inject('redisPrefix')}m`, secret),
      NODE_HEARTBEAT_MS: '250',
      NODE_TTL_MS: '1000',
    };
    const [a, b, c, built] = await Promise.all([
      startNode({ ...env, NODE_ID: 'a' }),
      startNode({ ...env, NODE_ID: 'b' }),
      startNode({ ...env, NODE_ID: 'c' }),
      buildMediaPageBundle(),
    ]);
    nodes.push(a, b, c);
    bundle = built;
    database = await connect({ url: inject('databaseUrl'), migrate: false });
    const f = fixtures(database.db);
    const { booths } = await f.liveFair({ employers: ['Piped'] });
    boothId = booths.Piped.id;
    const auth = createAuth(database.db, { secret, baseURL: a.url, attemptsPerMinute: 1000 });
    staffCookie = await sessionCookie(auth, booths.Piped.owner.email);
    seekerCookie = await sessionCookie(auth, (await f.account('seeker', 'piped-visitor')).email);
    // An interview at the booth: its owner interviews a seeker (rows as the line's call makes them).
    const interviewee = await f.account('seeker', 'piped-interviewee');
    interviewSeekerCookie = await sessionCookie(auth, interviewee.email);
    const [entry] = await database.db
      .insert(schema.queueEntries)
      .values({ boothId, seekerId: interviewee.id, status: 'interviewing', calledAt: new Date(), calledBy: booths.Piped.owner.id })
      .returning();
    const [row] = await database.db
      .insert(schema.interviews)
      .values({ entryId: entry!.id, boothId, seekerId: interviewee.id, recruiterId: booths.Piped.owner.id })
      .returning();
    interviewId = row!.id;
    browser = await launchFakeCameraChromium();
  }, 120_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await browser?.close();
    await stopNodes(nodes);
    await database?.close();
  });

  it('an interview whose seeker is on node B and recruiter on node C: each decodes the other’s camera', async () => {
    const [b, c] = [nodes[1]!, nodes[2]!];
    const [seekerPage, recruiterPage] = await Promise.all([page(b, interviewSeekerCookie), page(c, staffCookie)]);
    const run = (p: Page) =>
      p.evaluate(
        (id) => (window as never as { fg: { interview(i: string): Promise<{ firstFrameMs: number; producerId: string }> } }).fg.interview(id),
        interviewId,
      );
    const [seeker, recruiter] = await Promise.all([run(seekerPage), run(recruiterPage)]);
    console.log(
      `[chaos] interview over nodes B and C: join to first decoded frame of the other side: seeker ${ms(seeker.firstFrameMs)}, recruiter ${ms(recruiter.firstFrameMs)}`,
    );
    expect(seeker.producerId).not.toBe(recruiter.producerId);
    for (const node of [b, c]) {
      expect(await nodeMetric(node.url, 'media_imports')).toBe(1);
      expect(await nodeMetric(node.url, 'media_pipes')).toBe(1);
    }
    await Promise.all([seekerPage.context().close(), recruiterPage.context().close()]);
    // Both sides gone: each node's room closes, and with it the pipe pair.
    for (const node of [b, c]) await expect.poll(() => nodeMetric(node.url, 'media_pipes'), { timeout: 10_000 }).toBe(0);
  });

  it('visitors on nodes B and C decode frames of staff publishing on node A; closes and node A’s death reach them', async () => {
    const [a, b, c] = [nodes[0]!, nodes[1]!, nodes[2]!];
    const host = await page(a, staffCookie);
    const { producerId } = await host.evaluate(
      (id) => (window as never as { fg: { publish(b: string): Promise<{ producerId: string }> } }).fg.publish(id),
      boothId,
    );

    // A socket on B is listed the producer at its join, as a socket on A would be.
    const other = await connectTestClient(b.url, { cookie: seekerCookie });
    clients.push(other);
    const joined = await send<{ producers: Array<{ id: string; kind: string; source: string }> }>(other, 'booth:join', { boothId });
    expect(joined).toMatchObject({ ok: true, data: { producers: [{ id: producerId, kind: 'video', source: 'camera' }] } });

    const viewer = await page(b, seekerCookie);
    type Fg = {
      watch(b: string): Promise<{ listed: string[]; consumeMs: number; connectedMs: number; firstPacketMs: number; firstFrameMs: number; producerId: string }>;
      viewed(): Promise<{ framesDecoded: number; closed: string[] }>;
      stopPublishing(): Promise<void>;
      publish(b: string): Promise<{ producerId: string }>;
    };
    const fg = (p: Page) => ({
      watch: (id: string) => p.evaluate((i) => (window as never as { fg: Fg }).fg.watch(i), id),
      viewed: () => p.evaluate(() => (window as never as { fg: Fg }).fg.viewed()),
      stop: () => p.evaluate(() => (window as never as { fg: Fg }).fg.stopPublishing()),
      publish: (id: string) => p.evaluate((i) => (window as never as { fg: Fg }).fg.publish(i), id),
    });
    // The same in one node, for comparison: a visitor on node A, where the staff member publishes.
    const local = await fg(await page(a, seekerCookie)).watch(boothId);
    console.log(
      `[chaos] node A (same node): consume answered in ${ms(local.consumeMs)}; transport connected ${ms(local.connectedMs)}, first packet ${ms(local.firstPacketMs)}, first decoded frame ${ms(local.firstFrameMs)} after the consume request`,
    );
    const watched = await fg(viewer).watch(boothId);
    expect(watched.producerId).toBe(producerId);
    // The node's log line may come a moment after the answer.
    await expect.poll(() => broughtFrom(b, 'a')).toBeDefined();
    const brought = broughtFrom(b, 'a');
    console.log(
      `[chaos] node B: consume of A's producer answered in ${ms(watched.consumeMs)} (pipe opened and producer brought in ${String(brought?.ms)} ms); transport connected ${ms(watched.connectedMs)}, first packet ${ms(watched.firstPacketMs)}, first decoded frame ${ms(watched.firstFrameMs)} after the consume request`,
    );
    expect(await nodeMetric(b.url, 'media_imports')).toBe(1);
    expect(await nodeMetric(a.url, 'media_exports')).toBe(1);
    const frames = (await fg(viewer).viewed()).framesDecoded;
    await expect.poll(async () => (await fg(viewer).viewed()).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(frames + 10);

    // Closed on A: B's visitors are told once, as A's own would be; B's import goes.
    let started = performance.now();
    const told = waitFor(other, 'media:producer-closed', (p) => p.producerId === producerId, 10_000);
    await fg(host).stop();
    await told;
    console.log(`[chaos] producer closed on node A -> visitor socket on node B told: ${ms(performance.now() - started)}`);
    await expect.poll(() => nodeMetric(b.url, 'media_imports'), { timeout: 10_000 }).toBe(0);
    expect((await fg(viewer).viewed()).closed).toEqual([producerId]);

    // Published again; watched again on B, and on a third node C; then node A dies (SIGKILL): once
    // its heartbeat expires, B's visitors are told its producer closed, and B and C close their imports
    // (one of them sweeps A, the other closes what it imported all the same).
    const again = (await fg(host).publish(boothId)).producerId;
    const second = await fg(viewer).watch(boothId);
    expect(second.producerId).toBe(again);
    console.log(
      `[chaos] node B, second producer over the same node pair: consume ${ms(second.consumeMs)}, connected ${ms(second.connectedMs)}, first packet ${ms(second.firstPacketMs)}, first frame ${ms(second.firstFrameMs)}`,
    );
    const onC = await fg(await page(c, seekerCookie)).watch(boothId);
    expect(onC.producerId).toBe(again);
    await expect.poll(() => broughtFrom(c, 'a')).toBeDefined();
    const broughtToC = broughtFrom(c, 'a');
    console.log(
      `[chaos] node C, the same producer: consume ${ms(onC.consumeMs)} (pipe and bring ${String(broughtToC?.ms)} ms), connected ${ms(onC.connectedMs)}, first packet ${ms(onC.firstPacketMs)}, first frame ${ms(onC.firstFrameMs)}`,
    );
    expect(await nodeMetric(a.url, 'media_exports')).toBe(2);
    const gone = waitFor(other, 'media:producer-closed', (p) => p.producerId === again, 15_000);
    started = performance.now();
    process.kill(a.child.pid!, 'SIGKILL');
    await gone;
    console.log(`[chaos] node A killed -> visitor socket on node B told its producer closed: ${ms(performance.now() - started)} (NODE_TTL_MS 1000)`);
    for (const survivor of [b, c]) {
      await expect.poll(() => nodeMetric(survivor.url, 'media_imports'), { timeout: 10_000 }).toBe(0);
      expect(await nodeMetric(survivor.url, 'media_pipes')).toBe(0);
    }
    // The registry no longer lists it: a new visitor on B sees no producer.
    const late = await connectTestClient(b.url, { cookie: seekerCookie });
    clients.push(late);
    expect(await send(late, 'booth:join', { boothId })).toMatchObject({ ok: true, data: { producers: [] } });

    // The staff member publishes again from node C (where a page would reconnect to): visitors on B
    // hear of it, and a visitor on B decodes it, brought from C this time.
    const added = waitFor(late, 'media:producer-added', (p) => p.roomId === `booth:${boothId}`, 10_000);
    const moved = (await fg(await page(c, staffCookie)).publish(boothId)).producerId;
    expect((await added)[0].producer.id).toBe(moved);
    const third = await fg(viewer).watch(boothId);
    expect(third.producerId).toBe(moved);
    console.log(`[chaos] published again on node C after A's death: a visitor on B decodes it ${ms(third.firstFrameMs)} after its consume request`);
    expect(await nodeMetric(b.url, 'media_imports')).toBe(1);
  });
});
