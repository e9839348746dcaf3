import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, signUpVerified, startPlatform, waitFor, type TestClient } from './helpers.ts';

/**
 * Issue 11, item 5: a change of rights reaches every open socket of the user at once, on every
 * node. Two platform nodes share real Redis and Postgres; the change is made on node A, the
 * sockets that must end sit on node B (and A). A reconnect is authenticated afresh.
 */
describe('stale rights on open sockets', () => {
  let nodes: Array<Awaited<ReturnType<typeof startPlatform>>>;
  const clients: TestClient[] = [];
  const password = 'correct horse battery staple';
  let seq = 0;

  const connect = async (node: number, cookie?: string) => {
    const c = await connectTestClient(nodes[node]!.url, cookie ? { cookie } : { deviceId: `access-anon-${seq++}-device` });
    clients.push(c);
    return c;
  };
  /** A new account, its address confirmed from the mailed link, with its own session cookie. */
  const account = async (label: string): Promise<{ user: SessionUser; cookie: string }> => {
    const email = `access-${label}-${Date.now()}-${seq++}@example.com`;
    return signUpVerified(nodes[0]!.platform, nodes[0]!.mailDir, { name: label, email, password, role: 'seeker' }, `10.11.${seq % 250}.1`);
  };
  const signIn = async (email: string) => {
    const result = await nodes[0]!.platform.auth.signIn({ email, password }, `10.12.${seq++ % 250}.1`);
    if (!result.ok) throw new Error('sign-in failed');
    return result.setCookies.map((c) => c.split(';')[0]).join('; ');
  };
  const ended = (socket: TestClient, ms = 5000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket was not ended')), ms);
      socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
  /** Collects a client's pushes of one event, to check that none arrive. */
  const record = (socket: TestClient, event: 'queue:line' | 'dashboard:update') => {
    const got: unknown[] = [];
    socket.on(event as never, ((p: unknown) => got.push(p)) as never);
    return got;
  };

  beforeAll(async () => {
    const env = { CLOCK_INTERVAL_MS: '0', AUTH_SECRET: 'a'.repeat(32), AUTH_ATTEMPTS_PER_MINUTE: '1000' };
    nodes = [await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env })];
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    for (const n of nodes ?? []) await n.platform.close();
  });

  it('team removal on node A ends the recruiter’s sockets on both nodes; reconnected, they get no staff pushes or rights', async () => {
    const db = nodes[0]!.db;
    const { Xinghe } = (await fixtures(db).liveFair({ employers: ['Xinghe'] })).booths;
    const xinghe = { id: Xinghe.id, employer: { id: Xinghe.employerId } };
    const owner = Xinghe.owner;
    const recruiter = await account('recruiter');
    await db.insert(schema.employerMembers).values({ employerId: xinghe.employer.id, userId: recruiter.user.id, role: 'recruiter' });

    const onB = await connect(1, recruiter.cookie);
    const onA = await connect(0, recruiter.cookie);
    expect(await send(onB, 'booth:join', { boothId: xinghe.id })).toMatchObject({ ok: true, data: { isStaff: true } });
    expect(await send(onB, 'queue:duty', { boothId: xinghe.id, onDuty: true })).toMatchObject({ ok: true });

    // Staff pushes reach the recruiter on node B while they are on the team.
    const seeker = await account('line-seeker');
    const seekerSocket = await connect(0, seeker.cookie);
    const pushed = waitFor(onB, 'queue:line', (l) => l.boothId === xinghe.id && l.line.some((e) => e.seekerId === seeker.user.id));
    expect(await send(seekerSocket, 'queue:join', { boothId: xinghe.id })).toMatchObject({ ok: true });
    await pushed;

    const endedB = ended(onB);
    const endedA = ended(onA);
    await nodes[0]!.platform.services.employers.removeMember(owner, xinghe.employer.id, recruiter.user.id);
    expect(await endedB).toBe('io server disconnect');
    expect(await endedA).toBe('io server disconnect');

    // Reconnecting gives no staff rights: not staff at the booth, duty and calls refused with a code.
    const again = await connect(1, recruiter.cookie);
    const lines = record(again, 'queue:line');
    expect(await send(again, 'booth:join', { boothId: xinghe.id })).toMatchObject({ ok: true, data: { isStaff: false } });
    expect(await send(again, 'queue:duty', { boothId: xinghe.id, onDuty: true })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    expect(await send(again, 'queue:call-next', { boothId: xinghe.id })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    // The line changes (the seeker leaves): the former recruiter is not told.
    expect(await send(seekerSocket, 'queue:leave', { boothId: xinghe.id })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 1200));
    expect(lines).toEqual([]);
  });

  it('a plain sign-out ends the sockets of that session only; the user’s other sessions stay', async () => {
    const { user, cookie: first } = await account('two-sessions');
    const second = await signIn(user.email);
    const signedOut = await connect(1, first);
    const signedOutToo = await connect(0, first);
    const stays = await connect(1, second);
    const token = decodeURIComponent(first.split('=')[1]!).split('.')[0]!;
    const endedB = ended(signedOut);
    const endedA = ended(signedOutToo);
    nodes[0]!.platform.services.access.changed({ userId: user.id, reason: 'sign-out', sessionToken: token });
    expect(await endedB).toBe('io server disconnect');
    expect(await endedA).toBe('io server disconnect');
    await new Promise((r) => setTimeout(r, 500));
    expect(stays.connected).toBe(true);
    expect(await send(stays, 'queue:places', {})).toMatchObject({ ok: true });
  });

  it('a role change by an admin on node A ends the organizer’s sockets; reconnected, the dashboard is refused', async () => {
    const db = nodes[0]!.db;
    const admin = await account('admin');
    await db.update(schema.users).set({ role: 'admin' }).where(eq(schema.users.id, admin.user.id));
    const organizer = await account('organizer');
    await db.update(schema.users).set({ role: 'organizer' }).where(eq(schema.users.id, organizer.user.id));
    const { fair } = await fixtures(db).liveFair();

    const watching = await connect(1, organizer.cookie);
    expect(await send(watching, 'dashboard:watch', { fairId: fair.id })).toMatchObject({ ok: true });
    // Only an admin may change roles, and a refused change ends nothing.
    await expect(nodes[0]!.platform.services.users.setRole({ ...organizer.user, role: 'organizer' }, organizer.user.id, 'seeker')).rejects.toMatchObject({
      code: 'NOT_AUTHORIZED',
    });
    expect(watching.connected).toBe(true);

    const endedB = ended(watching);
    await nodes[0]!.platform.services.users.setRole({ ...admin.user, role: 'admin' }, organizer.user.id, 'seeker');
    expect(await endedB).toBe('io server disconnect');
    const again = await connect(1, organizer.cookie);
    const updates = record(again, 'dashboard:update');
    expect(await send(again, 'dashboard:watch', { fairId: fair.id })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(updates).toEqual([]);
  });

  it('deleting one’s own account (password confirmed) ends its sockets; the reconnect is anonymous', async () => {
    const { user, cookie } = await account('leaving');
    const socket = await connect(1, cookie);
    await expect(nodes[0]!.platform.services.users.deleteSelf(user, 'not the password')).rejects.toMatchObject({ code: 'INVALID' });
    expect(socket.connected).toBe(true);
    const endedB = ended(socket);
    await nodes[0]!.platform.services.users.deleteSelf(user, password);
    expect(await endedB).toBe('io server disconnect');
    expect(await nodes[0]!.db.select().from(schema.users).where(eq(schema.users.id, user.id))).toEqual([]);
    const again = await connect(1, cookie);
    const { Xinghe } = (await fixtures(nodes[0]!.db).liveFair({ employers: ['Xinghe'] })).booths;
    expect(await send(again, 'queue:join', { boothId: Xinghe.id })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});
