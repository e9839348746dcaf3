import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueLine } from '../signaling/src/protocol/index.ts';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';

/** The walk-in's path over the real socket server: an on-site join, the desk, and the hall count pushed. */
describe('walk-ins over the socket', () => {
  let node: Awaited<ReturnType<typeof startPlatform>>;
  const clients: TestClient[] = [];
  const connect = async (cookie?: string) => {
    const c = await connectTestClient(node.url, cookie ? { cookie } : {});
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    node = await startPlatform({ env: { AUTH_SECRET: 'h'.repeat(32) } });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await node?.platform.close();
  });

  it('joins on-site, is marked in the line, is called to the desk, and moves the hall count', async () => {
    const { platform } = node;
    const { fair, booths } = await fixtures(node.db).liveFair({ employers: ['Hall', 'Elsewhere'] });
    const recruiter = await connect(await sessionCookie(platform.auth, booths.Hall.owner.email));
    expect(await send(recruiter, 'queue:duty', { boothId: booths.Hall.id, onDuty: true })).toMatchObject({ ok: true });
    await send(await connect(await sessionCookie(platform.auth, booths.Elsewhere.owner.email)), 'queue:duty', { boothId: booths.Elsewhere.id, onDuty: true });

    // A hall screen sits in the fair's screen room (a display key's part; joined here server-side)
    // and gets the hall count with each line change.
    const screen = await connect();
    platform.io.in(screen.id!).socketsJoin(`screen:${fair.id}`);

    const started = await platform.services.walkIns.start(platform.auth, { name: 'Walk-in Wu', contact: '13312345678' }, '10.9.0.1');
    const walkIn = await connect(started.setCookies.map((c) => c.split(';')[0]).join('; '));

    // Online (a video interview ahead) is refused to an unverified walk-in; bad payloads change nothing.
    expect(await send(walkIn, 'queue:join', { boothId: booths.Elsewhere.id })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    expect(await send(walkIn, 'queue:join', { boothId: booths.Hall.id, onSite: 'yes' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });

    const lineSeen = waitFor(recruiter, 'queue:line', (l: QueueLine) => l.line.some((i) => i.name === 'Walk-in Wu'));
    const hallSeen = waitFor(screen, 'screen:numbers', (h) => h.fairId === fair.id && h.inHall === 1);
    const joined = await send<{ onSite: boolean; position: number }>(walkIn, 'queue:join', { boothId: booths.Hall.id, onSite: true });
    expect(joined).toMatchObject({ ok: true, data: { onSite: true, position: 1 } });
    const [line] = await lineSeen;
    expect(line.line.find((i) => i.name === 'Walk-in Wu')).toMatchObject({ onSite: true, status: 'waiting' });
    await hallSeen;
    expect(await platform.services.venue.hallCount(fair.id)).toBe(1);

    const calledSeen = waitFor(walkIn, 'queue:place', (p) => p.status === 'called' && p.onSite);
    const call = await send<{ entryId: string }>(recruiter, 'queue:call-next', { boothId: booths.Hall.id });
    expect(call.ok).toBe(true);
    await calledSeen;
    const entryId = (call as { data: { entryId: string } }).data.entryId;

    // Only the recruiter who called starts it at the desk; the interview has no video room.
    expect(await send(walkIn, 'queue:arrived', { boothId: booths.Hall.id, entryId })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    const atDeskSeen = waitFor(walkIn, 'queue:place', (p) => p.entryId === entryId && p.status === 'interviewing');
    const atDesk = await send<{ interviewId: string }>(recruiter, 'queue:arrived', { boothId: booths.Hall.id, entryId });
    await atDeskSeen;
    expect(atDesk.ok).toBe(true);
    const interviewId = (atDesk as { data: { interviewId: string } }).data.interviewId;
    expect(await send(walkIn, 'interview:join', { interviewId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // The walk-in's phone follows its desk interview to the end.
    const hallEmpty = waitFor(screen, 'screen:numbers', (h) => h.fairId === fair.id && h.inHall === 0);
    const doneSeen = waitFor(walkIn, 'queue:place', (p) => p.entryId === entryId && p.status === 'done');
    await platform.services.interviews.end(booths.Hall.owner, interviewId);
    await Promise.all([hallEmpty, doneSeen]);
  });
});
