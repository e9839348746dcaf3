import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesByStream, framesOnNewStreams, nodeMetric, startSplitRolesStage, type SplitRolesStage } from './split-roles-stage.ts';

/**
 * Media-only nodes added to a deployment of nodes of both roles (issue 13: "media nodes can be
 * added without signaling"): one `main.ts` of both roles serving the built app, two media-only
 * ones beside it, `MEDIA_NODE_EDGE_AFTER=0` so every viewer's receive transport goes to a media
 * node (an edge). The host publishes on the node of both roles, as always; two viewers' pages,
 * their joins spread over the two edges, decode the camera each edge brought from it over a pipe.
 * One edge is SIGKILLed: only its viewer is told to join again, and its page (not reloaded)
 * decodes from the other edge; the host never notices.
 */
describe('media-only nodes beside a node of both roles', () => {
  let stage: SplitRolesStage;

  beforeAll(async () => {
    stage = await startSplitRolesStage('combined', { MEDIA_NODE_EDGE_AFTER: '0' }, { combined: true });
  }, 600_000);

  afterAll(() => stage?.close());

  it('a broadcast’s viewers receive on the media nodes, piped from the node the host publishes on; an edge dies and its viewer carries on on the other', async () => {
    const { signaling: home, m1, m2, broadcastId, hostCookie, open } = stage;

    const host = await open(`${home.url}/broadcasts/${broadcastId}`, hostCookie);
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => nodeMetric(home.url, 'media_producers'), { timeout: 10_000 }).toBe(2); // camera and microphone
    const homeTransports = await nodeMetric(home.url, 'media_transports');

    const viewers: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const viewer = await open(`${home.url}/broadcasts/${broadcastId}`);
      await viewer.getByRole('button', { name: 'Watch' }).click();
      viewers.push(viewer);
      await expect.poll(() => framesOnNewStreams(viewer, {}), { timeout: 45_000, interval: 250 }).toBeGreaterThan(10);
    }
    // Each viewer on its own edge (a burst within one beat spreads), each edge bringing both
    // producers over one pipe end; no viewer's transport on the node of both roles.
    const edges = [m1, m2];
    for (const edge of edges) {
      expect(await nodeMetric(edge.url, 'media_imports')).toBe(2);
      expect(await nodeMetric(edge.url, 'media_pipes')).toBe(1);
      expect(await nodeMetric(edge.url, 'media_transports')).toBe(1);
    }
    expect(await nodeMetric(home.url, 'media_exports')).toBe(4);
    expect(await nodeMetric(home.url, 'media_transports')).toBe(homeTransports);

    // m1 is SIGKILLed: its viewer (the one whose page then decodes a new stream) joins again.
    const before = await Promise.all(viewers.map(framesByStream));
    const killedAt = Date.now();
    process.kill(m1.child.pid!, 'SIGKILL');
    const deadline = killedAt + 90_000;
    let moved = -1;
    while (moved < 0) {
      expect(Date.now(), 'frames again within the hang guard').toBeLessThan(deadline);
      for (const [i, viewer] of viewers.entries()) if ((await framesOnNewStreams(viewer, before[i]!)) > 0) moved = i;
      await host.waitForTimeout(100);
    }
    console.log(
      `[edge] an edge media node beside a node of both roles SIGKILLed (NODE_TTL_MS 5000): its viewer decodes again ${Date.now() - killedAt} ms after the kill`,
    );
    // Its viewer is on m2 now with the other one; the other viewer's streams went on; the host
    // kept its transports; nobody reloaded.
    await expect.poll(() => nodeMetric(m2.url, 'media_transports'), { timeout: 10_000 }).toBe(2);
    const other = viewers[1 - moved]!;
    expect(await framesOnNewStreams(other, before[1 - moved]!)).toBe(0);
    const still = await framesByStream(other);
    await other.waitForTimeout(1000);
    const later = await framesByStream(other);
    expect(Object.keys(still).some((id) => (later[id] ?? 0) > still[id]!)).toBe(true);
    expect(await nodeMetric(home.url, 'media_transports')).toBe(homeTransports);
    for (const page of [host, ...viewers]) expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible()).toBe(true);
  }, 400_000);
});
