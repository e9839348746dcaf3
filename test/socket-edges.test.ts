import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, startPlatform, type TestClient } from './helpers.ts';

/** Issue 11, item 11: the booth socket join follows the booth page's rule; unknown events are answered. */
describe('socket edges', () => {
  let node: Awaited<ReturnType<typeof startPlatform>>;
  const clients: TestClient[] = [];
  const connect = async (options: { cookie?: string; deviceId?: string } = {}) => {
    const c = await connectTestClient(node.url, options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    node = await startPlatform({ env: { CLOCK_INTERVAL_MS: '0' } });
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await node.platform.close();
  });

  it('refuses booth:join for a booth of a draft fair with NOT_FOUND, like the booth page', async () => {
    const { booths } = await fixtures(node.db).liveFair({ employers: ['Xinghe'] });
    const [fair] = await node.db
      .insert(schema.fairs)
      .values({ title: 'Draft fair (socket edges)', theme: 'custom', startsAt: new Date(), endsAt: new Date(Date.now() + 3600_000), status: 'draft' })
      .returning();
    const [booth] = await node.db.insert(schema.booths).values({ fairId: fair!.id, employerId: booths.Xinghe.employerId, status: 'approved' }).returning();
    const visitor = await connect({ deviceId: 'socket-edges-visitor' });
    expect(await send(visitor, 'booth:join', { boothId: booth!.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // Published, the same booth opens: the refusal was the draft, nothing else.
    await node.db.update(schema.fairs).set({ status: 'published' }).where(eq(schema.fairs.id, fair!.id));
    expect(await send(visitor, 'booth:join', { boothId: booth!.id })).toMatchObject({ ok: true, data: { boothId: booth!.id } });
  });

  it('answers an unknown event sent with an ack with UNKNOWN_EVENT, and known events as before', async () => {
    const client = await connect({ deviceId: 'socket-edges-unknown' });
    expect(await send(client, 'booth:explode', { boothId: 'x' })).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_EVENT', message: expect.any(String) },
    });
    expect(await send(client, 'nonsense')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
    // Without an ack there is nobody to answer; the connection stays up.
    (client.emit as (...a: unknown[]) => void)('no:such-thing', { a: 1 });
    // A known event is untouched: bad input still gets INVALID_PAYLOAD, good input its answer, once.
    expect(await send(client, 'booth:join', { boothId: 42 })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const { Shunda } = (await fixtures(node.db).liveFair({ employers: ['Shunda'] })).booths;
    expect(await send(client, 'booth:join', { boothId: Shunda.id })).toMatchObject({ ok: true });
    expect(client.connected).toBe(true);
  });
});
