import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesByStream, framesOnNewStreams, nodeMetric, startSplitRolesStage, type SplitRolesStage } from './split-roles-stage.ts';

/**
 * Split roles through the real pages: a signaling-only `main.ts` serving the built SvelteKit app
 * and two media-only ones (one Redis, one Postgres), Chromium with a fake camera. A host goes live
 * on the broadcast page and an anonymous viewer presses Watch, both on the signaling node; the
 * room is placed on a media node. That media node is SIGKILLed: the pages are told
 * `media:room-reset`, join again and republish by themselves, the room lands on the other media
 * node, and the viewer's page (never reloaded) decodes frames of the new stream.
 */
describe('split roles through the real pages', () => {
  let stage: SplitRolesStage;

  beforeAll(async () => {
    stage = await startSplitRolesStage('rp');
  }, 600_000);

  afterAll(() => stage?.close());

  it('a host goes live and a viewer watches through a signaling-only node; the room’s media node dies and the pages carry on on the other', async () => {
    const { signaling, m1, m2, broadcastId, hostCookie, placedOn, open } = stage;

    const host = await open(`${signaling.url}/broadcasts/${broadcastId}`, hostCookie);
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible(), { timeout: 30_000 }).toBe(true);
    const viewer = await open(`${signaling.url}/broadcasts/${broadcastId}`);
    await viewer.getByRole('button', { name: 'Watch' }).click();
    await expect.poll(async () => framesOnNewStreams(viewer, {}), { timeout: 30_000, interval: 250 }).toBeGreaterThan(10);
    const first = await placedOn();
    const [dying, survivor] = first.startsWith('m1-') ? [m1, m2] : [m2, m1];
    expect(first).toMatch(/^m[12]-/);
    expect(await nodeMetric(dying.url, 'media_producers')).toBe(2); // camera and microphone
    expect(await nodeMetric(survivor.url, 'media_producers')).toBe(0);

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
    await expect.poll(() => nodeMetric(survivor.url, 'media_producers'), { timeout: 10_000 }).toBe(2);
    // Nobody reloaded; the host is still live.
    for (const page of [host, viewer]) expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible()).toBe(true);
  }, 300_000);
});
