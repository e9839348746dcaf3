import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@fairground/db';
import { DEMO_PASSWORD } from '@fairground/demo';
import { signUp, ServiceError, type AccessChange } from '@fairground/core';
import { capturedMail, freshDatabase, linkToken, mailTo, signUpVerified, startPlatform } from './helpers.ts';

type Node = Awaited<ReturnType<typeof startPlatform>>;

/** Issue 11, items 2, 8 and 11: sign-up, verification, reset, sign-out everywhere, invitations, throttle. */
describe('accounts and invitations', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let node: Node;
  let other: Node;
  const changes: AccessChange[] = [];
  let address = 0;
  /** A new client address per call, so better-auth's per-address limit stays out of the way. */
  const ip = () => `10.77.${Math.floor(++address / 250)}.${address % 250}`;
  const cookieOf = (setCookies: string[]) => setCookies.map((c) => c.split(';')[0]).join('; ');
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => expect.unreachable('expected a refusal'),
      (e: unknown) => {
        expect(e).toBeInstanceOf(ServiceError);
        return e as ServiceError;
      },
    );
  const userRow = async (email: string) => (await node.db.select().from(schema.users).where(eq(schema.users.email, email)))[0]!;
  const actorOf = async (email: string) => {
    const u = await userRow(email);
    return { id: u.id, email: u.email, name: u.name, role: u.role, emailVerified: u.emailVerified };
  };

  beforeAll(async () => {
    fresh = await freshDatabase('accounts');
    const env = { DATABASE_URL: fresh.url, AUTH_SECRET: 'a'.repeat(32), AUTH_ACCOUNT_FAILURES: '3', AUTH_ACCOUNT_WINDOW_SECONDS: '3' };
    node = await startPlatform({ env });
    other = await startPlatform({ env });
    node.platform.services.access.on((c) => changes.push(c));
  });

  afterAll(async () => {
    await node?.platform.close();
    await other?.platform.close();
    await fresh?.drop();
  });

  it('answers sign-up the same for a new and an existing address, and mails the existing owner instead', async () => {
    const { auth, services } = node.platform;
    const form = (email: string) => ({ name: 'Li Ming', email, password: 'a-new-password', role: 'seeker' as const });
    const fresh = await signUp(auth, services.employers, form('li.ming@example.com'), ip());
    const taken = await signUp(auth, services.employers, form('seeker@example.com'), ip());
    expect(taken).toEqual(fresh);
    expect(fresh).toEqual({ ok: true });
    // The owner of the existing account hears of it; its password is unchanged.
    expect((await mailTo(node.mailDir, 'seeker@example.com')).subject).toMatch(/有人尝试|tried to sign up/);
    expect(await auth.signIn({ email: 'seeker@example.com', password: 'a-new-password' }, ip())).toMatchObject({ ok: false });
    expect(await auth.signIn({ email: 'seeker@example.com', password: DEMO_PASSWORD }, ip())).toMatchObject({ ok: true });

    // The new account signs in by confirming its address from the mail, once.
    expect(await auth.signIn({ email: 'li.ming@example.com', password: 'a-new-password' }, ip())).toEqual({ ok: false, reason: 'unverified' });
    const token = linkToken(await mailTo(node.mailDir, 'li.ming@example.com', /确认|Confirm/), '/verify-email');
    const verified = await auth.verifyEmail(token, ip());
    if (!verified.ok) throw new Error(verified.reason);
    expect(await auth.userFor(new Headers({ cookie: cookieOf(verified.setCookies) }))).toMatchObject({ email: 'li.ming@example.com', emailVerified: true });
    expect(await auth.verifyEmail(token, ip())).toEqual({ ok: false, reason: 'invalid' });
    expect(await auth.verifyEmail(`${token}x`, ip())).toEqual({ ok: false, reason: 'invalid' });
    expect(await auth.signIn({ email: 'li.ming@example.com', password: 'a-new-password' }, ip())).toMatchObject({ ok: true });
  });

  it('resets a password by a mailed single-use link, ends every session and tells open sockets', async () => {
    const { auth } = node.platform;
    const email = 'organizer@example.com';
    const first = await auth.signIn({ email, password: DEMO_PASSWORD }, ip());
    const second = await auth.signIn({ email, password: DEMO_PASSWORD }, ip());
    if (!first.ok || !second.ok) throw new Error('sign-in failed');

    // Unknown addresses get the same answer and no mail.
    const before = capturedMail(node.mailDir).length;
    expect(await auth.requestPasswordReset('nobody-here@example.com', ip())).toEqual({ ok: true });
    expect(await auth.requestPasswordReset(email, ip())).toEqual({ ok: true });
    const token = linkToken(await mailTo(node.mailDir, email, /密码|password/i), '/reset-password');
    expect(capturedMail(node.mailDir).length).toBe(before + 1);

    expect(await auth.resetPassword('not-the-token', 'brand-new-pass', ip())).toMatchObject({ ok: false, reason: 'invalid' });
    changes.length = 0;
    expect(await auth.resetPassword(token, 'brand-new-pass', ip())).toMatchObject({ ok: true });
    expect(changes).toEqual([{ userId: first.user.id, reason: 'password-reset' }]);
    for (const s of [first, second]) expect(await auth.userFor(new Headers({ cookie: cookieOf(s.setCookies) }))).toBeNull();
    expect(await auth.resetPassword(token, 'another-new-pass', ip())).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await auth.signIn({ email, password: DEMO_PASSWORD }, ip())).toMatchObject({ ok: false, reason: 'credentials' });
    expect(await auth.signIn({ email, password: 'brand-new-pass' }, ip())).toMatchObject({ ok: true });

    // An expired link fails.
    await auth.requestPasswordReset(email, ip());
    const late = linkToken(await mailTo(node.mailDir, email, /密码|password/i), '/reset-password');
    expect(late).not.toBe(token);
    const stored = await node.db.select().from(schema.verifications);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.some((v) => v.identifier.includes(late) || v.value.includes(late))).toBe(false); // hashed, never the token
    await node.db.update(schema.verifications).set({ expiresAt: new Date(Date.now() - 1000) });
    expect(await auth.resetPassword(late, 'too-late-pass', ip())).toMatchObject({ ok: false, reason: 'invalid' });

    // Asking again and again from one address is refused (better-auth's limit for that path).
    const from = ip();
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push((await auth.requestPasswordReset(email, from)).ok);
    expect(answers).toContain(false);
  });

  it('signs out everywhere: every session of the user ends, and open sockets are told', async () => {
    const { auth } = node.platform;
    const email = 'employer@example.com';
    const sessions = [];
    for (let i = 0; i < 3; i++) {
      const r = await auth.signIn({ email, password: DEMO_PASSWORD }, ip());
      if (!r.ok) throw new Error('sign-in failed');
      sessions.push(new Headers({ cookie: cookieOf(r.setCookies) }));
    }
    const user = (await auth.userFor(sessions[0]!))!;
    changes.length = 0;
    await auth.signOut(sessions[2]!);
    expect(changes).toEqual([{ userId: user.id, reason: 'sign-out', sessionToken: expect.any(String) }]);
    expect(await auth.userFor(sessions[1]!)).not.toBeNull();
    changes.length = 0;
    const cleared = await auth.signOutEverywhere(sessions[0]!);
    expect(cleared.join(';')).toMatch(/session_token=;|Max-Age=0/);
    for (const headers of sessions) expect(await auth.userFor(headers)).toBeNull();
    expect(changes).toEqual([{ userId: user.id, reason: 'sign-out-everywhere' }]);
  });

  it('accepts a team invitation only through its mailed link or by the VERIFIED invited address', async () => {
    const { auth, services } = node.platform;
    const owner = await actorOf('employer@example.com');
    const employerId = (await services.employers.mine(owner))[0]!.employer.id;
    const victim = 'new.recruiter@example.com';
    const invitation = await services.employers.invite(owner, employerId, { email: victim });
    const link = linkToken(await mailTo(node.mailDir, victim, /团队|team/i), '/invitations');
    const [stored] = await node.db.select().from(schema.employerInvitations).where(eq(schema.employerInvitations.id, invitation.id));
    expect(stored!.tokenHash).not.toContain(link); // only a hash is kept

    // The attacker signs up with the invitee's address: unverified, cannot sign in nor accept.
    const attacker = await auth.signUp({ name: 'Mallory', email: victim, password: 'mallory-pass', role: 'seeker' }, ip());
    if (!attacker.ok || !attacker.created) throw new Error('sign-up failed');
    expect(await auth.signIn({ email: victim, password: 'mallory-pass' }, ip())).toEqual({ ok: false, reason: 'unverified' });
    expect(await services.employers.invitationsFor(attacker.created)).toEqual([]);
    expect((await refusal(services.employers.acceptInvitation(attacker.created, invitation.id))).code).toBe('NOT_FOUND');
    // A wrong token fails; so does a signed-in stranger without the link.
    const stranger = await signUpVerified(
      node.platform,
      node.mailDir,
      { name: 'Stranger', email: 'stranger@example.com', password: 'stranger-pass', role: 'seeker' },
      ip(),
    );
    expect((await refusal(services.invitations.accept(stranger.user, `${link}x`))).code).toBe('NOT_FOUND');
    expect((await refusal(services.employers.acceptInvitation(stranger.user, invitation.id))).code).toBe('NOT_FOUND');
    expect(await services.employers.members(owner, employerId).then((m) => m.staff.map((s) => s.email))).not.toContain(victim);

    // The mail's reader accepts through the link, once.
    const reader = await signUpVerified(
      node.platform,
      node.mailDir,
      { name: 'Reader', email: 'reader@example.com', password: 'reader-pass', role: 'seeker' },
      ip(),
    );
    expect(await services.invitations.accept(reader.user, link)).toMatchObject({ kind: 'team', employerId });
    expect((await refusal(services.invitations.accept(stranger.user, link))).code).toBe('NOT_FOUND');
    expect((await services.employers.members(owner, employerId)).staff.map((s) => s.email)).toContain('reader@example.com');

    // An expired link fails.
    const late = await services.employers.invite(owner, employerId, { email: 'late@example.com' });
    const lateLink = linkToken(await mailTo(node.mailDir, 'late@example.com'), '/invitations');
    await node.db
      .update(schema.employerInvitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.employerInvitations.id, late.id));
    expect((await refusal(services.invitations.accept(stranger.user, lateLink))).code).toBe('NOT_FOUND');

    // A verified account with the invited address may accept from its list, without the link.
    const invited = await signUpVerified(
      node.platform,
      node.mailDir,
      { name: 'Invited', email: 'invited@example.com', password: 'invited-pass', role: 'seeker' },
      ip(),
    );
    const second = await services.employers.invite(owner, employerId, { email: 'invited@example.com' });
    expect((await services.employers.invitationsFor(invited.user)).map((i) => i.id)).toEqual([second.id]);
    expect(await services.employers.acceptInvitation(invited.user, second.id)).toEqual({ employerId });
  });

  it('makes a named broadcast co-host a host only after they accept the mailed link', async () => {
    const { services } = node.platform;
    const organizer = await actorOf('organizer@example.com');
    const cohost = await signUpVerified(
      node.platform,
      node.mailDir,
      { name: 'Co Host', email: 'cohost@example.com', password: 'cohost-pass', role: 'seeker' },
      ip(),
    );
    const starts = new Date(Date.now() + 3600_000);
    const talk = await services.broadcasts.create(organizer, {
      title: 'Resume clinic with a guest',
      topic: 'resume_clinic',
      startsAt: starts.toISOString(),
      endsAt: new Date(starts.getTime() + 3600_000).toISOString(),
      hostEmails: 'cohost@example.com, not-yet-signed-up@example.com',
    } as never);
    const hostIds = async () => (await services.broadcasts.get(organizer, talk.id)).hosts.map((h) => h.id);
    expect(await hostIds()).toEqual([organizer.id]);
    const link = linkToken(await mailTo(node.mailDir, 'cohost@example.com', /直播|co-host/i), '/invitations');
    await mailTo(node.mailDir, 'not-yet-signed-up@example.com'); // an address without an account is invited too
    expect((await refusal(services.invitations.accept(cohost.user, link.slice(0, -2)))).code).toBe('NOT_FOUND');
    expect(await services.invitations.accept(cohost.user, link)).toMatchObject({ kind: 'host', broadcastId: talk.id });
    expect((await hostIds()).sort()).toEqual([organizer.id, cohost.user.id].sort());
    expect((await refusal(services.invitations.accept(cohost.user, link))).code).toBe('NOT_FOUND');
  });

  it('throttles failed sign-ins per account across addresses and nodes, until the window passes or a success', async () => {
    const email = 'li.ming@example.com';
    const wrong = { email, password: 'wrong-password' };
    const right = { email, password: 'a-new-password' };
    const nodes = [node, other];
    // Three failures, each from another address and alternating nodes: the fourth attempt is refused
    // even with the right password.
    for (let i = 0; i < 3; i++) expect(await nodes[i % 2]!.platform.auth.signIn(wrong, ip())).toMatchObject({ ok: false, reason: 'credentials' });
    expect(await other.platform.auth.signIn(right, ip())).toEqual({ ok: false, reason: 'rate_limited' });
    expect(await node.platform.auth.signIn(right, ip())).toEqual({ ok: false, reason: 'rate_limited' });
    // Other accounts are not affected.
    expect(await node.platform.auth.signIn({ email: 'seeker@example.com', password: DEMO_PASSWORD }, ip())).toMatchObject({ ok: true });
    // After the window (3 s here) it works again, and a success clears the count.
    await new Promise((r) => setTimeout(r, 3200));
    expect(await node.platform.auth.signIn(wrong, ip())).toMatchObject({ reason: 'credentials' });
    expect(await node.platform.auth.signIn(wrong, ip())).toMatchObject({ reason: 'credentials' });
    expect(await other.platform.auth.signIn(right, ip())).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) expect(await node.platform.auth.signIn(wrong, ip())).toMatchObject({ reason: 'credentials' });
    expect(await node.platform.auth.signIn(right, ip())).toEqual({ ok: false, reason: 'rate_limited' });
    // A password reset clears it too.
    await node.platform.auth.requestPasswordReset(email, ip());
    const token = linkToken(await mailTo(node.mailDir, email, /密码|password/i), '/reset-password');
    expect(await node.platform.auth.resetPassword(token, 'reset-password-1', ip())).toMatchObject({ ok: true });
    expect(await node.platform.auth.signIn({ email, password: 'reset-password-1' }, ip())).toMatchObject({ ok: true });
  });
});
