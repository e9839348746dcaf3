import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, freshDatabase, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';

/**
 * The platform's clock ends an interview nobody ended, past its planned length plus the grace
 * period: the seeker is not left "interviewing", it is counted once, and the room hears it.
 */
describe('the clock and interviews nobody ended', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let node: Awaited<ReturnType<typeof startPlatform>>;
  let client: TestClient | undefined;

  beforeAll(async () => {
    fresh = await freshDatabase('iclock');
    node = await startPlatform({ env: { DATABASE_URL: fresh.url, CLOCK_INTERVAL_MS: '100', INTERVIEW_GRACE_MINUTES: '1' } });
  });
  afterAll(async () => {
    client?.disconnect();
    await new Promise((r) => setTimeout(r, 200));
    await node?.platform.close();
    await fresh?.drop();
  });

  it('closes an overdue interview once, frees the seeker’s place, and pushes the end to the room', async () => {
    const { db, platform } = node;
    const make = fixtures(db);
    const seeker = await make.account('seeker');
    const { Xinghe } = (await make.liveFair({ employers: ['Xinghe'] })).booths;
    const recruiter = Xinghe.owner;
    const booth = Xinghe.id;
    const { entry } = await platform.services.queue.join(seeker, booth, true);
    await platform.services.queue.callSpecific(recruiter, booth, entry.id, 'test');
    const interview = await platform.services.queue.accept(seeker, entry.id);

    client = await connectTestClient(node.url, { cookie: await sessionCookie(platform.auth, seeker.email) });
    expect(await send(client, 'interview:join', { interviewId: interview.id })).toMatchObject({ ok: true });
    // Within its planned 15 minutes (and the 1-minute grace) several ticks change nothing.
    await new Promise((r) => setTimeout(r, 400));
    expect((await db.select().from(schema.interviews).where(eq(schema.interviews.id, interview.id)))[0]!.endedAt).toBeNull();

    const ended = waitFor(client, 'interview:state', (s) => s.interviewId === interview.id && s.endedAt !== null, 5000);
    await db
      .update(schema.interviews)
      .set({ startedAt: new Date(Date.now() - 17 * 60_000) })
      .where(eq(schema.interviews.id, interview.id));
    const [state] = await ended;
    expect(state.endedAt).not.toBeNull();

    const [row] = await db.select().from(schema.queueEntries).where(eq(schema.queueEntries.id, entry.id));
    expect(row!.status).toBe('done');
    await new Promise((r) => setTimeout(r, 400));
    const events = await db
      .select()
      .from(schema.countedEvents)
      .where(eq(schema.countedEvents.id, `interview_ended:${interview.id}`));
    expect(events).toHaveLength(1);
    // Their place is free: joining that booth's line again makes a new entry.
    await expect(platform.services.queue.join(seeker, booth, true)).resolves.toMatchObject({ created: true });
  });
});
