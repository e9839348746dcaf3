import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, type TestClient } from './helpers.ts';

/**
 * A signaling-only node (NODE_ROLES=signaling) with no media node alive, on real Redis and
 * Postgres: it stays in the balancer (`/healthz` degraded, 200: pages and lines still work), and
 * joining a room with media, which needs a media node's router capabilities, is refused
 * UNAVAILABLE rather than left waiting.
 */
describe('a signaling-only node without any media node', () => {
  let started: Awaited<ReturnType<typeof startPlatform>>;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    // A prefix of its own: no media node of another test file is listed under it.
    started = await startPlatform({ redis: true, env: { NODE_ROLES: 'signaling', REDIS_PREFIX: `${inject('redisPrefix')}nomedia` } });
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await started?.platform.close();
  });

  it('is degraded, not down; a media room’s join is refused UNAVAILABLE', async () => {
    const health = await fetch(`${started.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', checks: { media: 'fail', database: 'ok', redis: 'ok' } });

    const make = fixtures(started.db);
    const { booths } = await make.liveFair({ employers: ['NoMedia'] });
    const staff = await connectTestClient(started.url, { cookie: await sessionCookie(started.platform.auth, booths.NoMedia.owner.email) });
    clients.push(staff);
    // The join needs the router capabilities, which only a media node has: refused with a code
    // (no media node listed, so at once; `send` itself gives up after 5 s).
    const joined = await send<{ roomId: string }>(staff, 'booth:join', { boothId: booths.NoMedia.id });
    expect(joined).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
