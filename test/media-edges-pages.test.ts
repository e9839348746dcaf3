import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesByStream, framesOnNewStreams, nodeMetric, startSplitRolesStage, type SplitRolesStage } from './split-roles-stage.ts';

/** Key frame requests (PLIs) that reached the publishing page: Chromium's outbound-rtp pliCount. */
const plisAtHost = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    let plis = 0;
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') plis += Number(r.pliCount ?? 0);
      });
    }
    return plis;
  });

/**
 * Split roles, one broadcast over two media nodes (issue 13): a signaling-only `main.ts` serving
 * the built app and two media-only ones, `MEDIA_NODE_EDGE_AFTER=0` so every viewer's receive
 * transport goes to the media node the room is not on (an edge). The host publishes on the
 * room's media node; viewers on the edge decode frames piped over a PipeTransport pair between
 * the two media nodes. The room's media node is SIGKILLed: the host's page republishes, the room
 * lands on the edge, and the viewers' pages (not reloaded, not reset) decode the new streams on
 * the transports they had.
 */
describe('split roles: a broadcast’s viewers on a second media node', () => {
  let stage: SplitRolesStage;

  beforeAll(async () => {
    stage = await startSplitRolesStage('edge', { MEDIA_NODE_EDGE_AFTER: '0' });
  }, 600_000);

  afterAll(() => stage?.close());

  it('viewers on the edge decode the host’s camera piped from the room’s media node; that node dies and they carry on without a reload', async () => {
    const { signaling, m1, m2, broadcastId, hostCookie, placedOn, open } = stage;

    const host = await open(`${signaling.url}/broadcasts/${broadcastId}`, hostCookie);
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible(), { timeout: 30_000 }).toBe(true);
    const first = await placedOn();
    expect(first).toMatch(/^m[12]-/);
    const [origin, edge] = first.startsWith('m1-') ? [m1, m2] : [m2, m1];
    await expect.poll(() => nodeMetric(origin.url, 'media_producers'), { timeout: 10_000 }).toBe(2); // camera and microphone
    const plis0 = await plisAtHost(host);

    const viewers: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const viewer = await open(`${signaling.url}/broadcasts/${broadcastId}`);
      await viewer.getByRole('button', { name: 'Watch' }).click();
      viewers.push(viewer);
    }
    for (const viewer of viewers) await expect.poll(() => framesOnNewStreams(viewer, {}), { timeout: 45_000, interval: 250 }).toBeGreaterThan(10);
    // Piped once to the edge (both producers, one pipe end), the viewers' transports there.
    expect(await nodeMetric(edge.url, 'media_imports')).toBe(2);
    expect(await nodeMetric(edge.url, 'media_pipes')).toBe(1);
    expect(await nodeMetric(origin.url, 'media_exports')).toBe(2);
    expect(await nodeMetric(edge.url, 'media_transports')).toBeGreaterThanOrEqual(2);
    // Key frame requests: the edge asks the host through the pipe, not once per viewer's request.
    const plis = (await plisAtHost(host)) - plis0;
    console.log(`[edge] two viewers on the edge media node: ${plis} key frame requests (PLI) reached the host's page`);

    const before = await Promise.all(viewers.map(framesByStream));
    const killedAt = Date.now();
    process.kill(origin.child.pid!, 'SIGKILL');
    const deadline = killedAt + 90_000;
    const back: number[] = [];
    for (const [i, viewer] of viewers.entries()) {
      while ((await framesOnNewStreams(viewer, before[i]!)) === 0) {
        expect(Date.now(), 'frames again within the hang guard').toBeLessThan(deadline);
        await viewer.waitForTimeout(100);
      }
      back.push(Date.now() - killedAt);
    }
    console.log(
      `[edge] the room's media node SIGKILLed (NODE_TTL_MS 5000): the edge viewers decode the republished camera ${back.join(', ')} ms after the kill`,
    );
    // The room is on the former edge now, publishing there; nobody reloaded; the host is live.
    expect(await placedOn()).toMatch(edge === m1 ? /^m1-/ : /^m2-/);
    await expect.poll(() => nodeMetric(edge.url, 'media_producers'), { timeout: 10_000 }).toBe(2);
    expect(await nodeMetric(edge.url, 'media_imports')).toBe(0);
    for (const page of [host, ...viewers]) expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
    await expect.poll(() => host.getByRole('button', { name: 'End live stream' }).isVisible()).toBe(true);
  }, 400_000);
});
