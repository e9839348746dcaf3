import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { ServiceError } from '@fairground/core';
import { schema } from '@fairground/db';
import { capturedMail, freshDatabase, linkToken, mailTo, startPlatform, until } from './helpers.ts';
import { fixtures } from './fixtures.ts';
import { startReceiver } from './webhook-receiver.ts';
import { visitBooth, VISIT_EVENTS } from './webhook-flow.ts';

/**
 * Webhooks end to end: a real platform (its own delivery worker polling its own database) and a
 * real HTTP receiver started here. Retries are fast (100 ms base) so the tests take seconds.
 */
describe('webhooks', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let app: Awaited<ReturnType<typeof startPlatform>>;

  beforeAll(async () => {
    fresh = await freshDatabase('webhooks');
    app = await startPlatform({
      env: {
        DATABASE_URL: fresh.url,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_RETRY_BASE_MS: '100',
        WEBHOOK_PAUSE_AFTER_FAILURES: '5',
      },
    });
  });
  afterAll(async () => {
    await app?.platform.close();
    await fresh?.drop();
  });

  async function employerWithEndpoint(receiverUrl: string, events = VISIT_EVENTS) {
    const f = fixtures(app.db);
    const { booths, fair, organizer } = await f.liveFair({ employers: ['Hooks'] });
    const booth = booths.Hooks;
    const created = await app.platform.services.webhooks.create(booth.owner, { kind: 'employer', employerId: booth.employerId }, { url: receiverUrl, events });
    return { f, booth, fair, organizer, ...created };
  }

  it('delivers each event of a visit, signed (verified by the standardwebhooks library), in order', async () => {
    const receiver = await startReceiver();
    try {
      const { f, booth, secret, endpoint } = await employerWithEndpoint(receiver.url);
      await visitBooth(app.platform.services, booth, await f.account('seeker'));
      await until('four events', () => receiver.received.length >= 4, 10_000);
      expect(receiver.received.map((r) => r.payload.type)).toEqual(VISIT_EVENTS);
      for (const r of receiver.received) {
        expect(receiver.verify(secret, r)).toMatchObject({ type: r.payload.type });
        expect(r.id).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(r.payload.data).toMatchObject({ boothId: booth.id, employerId: booth.employerId });
      }
      // A tampered body fails verification.
      expect(() => receiver.verify(secret, { ...receiver.received[0]!, body: receiver.received[0]!.body.replace('queue', 'qeueu') })).toThrow();
      // The delivery log shows one successful attempt per delivery (logged just after the receiver answered).
      const delivered = async () => (await app.platform.services.webhooks.deliveries(booth.owner, endpoint.id)).every((d) => d.status === 'delivered');
      await until('attempts logged', delivered, 5000);
      const log = await app.platform.services.webhooks.deliveries(booth.owner, endpoint.id);
      expect(log.map((d) => [d.type, d.status, d.attempts.length, d.attempts[0]?.statusCode])).toEqual(
        [...VISIT_EVENTS].reverse().map((t) => [t, 'delivered', 1, 200]),
      );
    } finally {
      await receiver.close();
    }
  });

  it('a receiver failing 3 times then succeeding ends up with every event exactly once after dedup, in order', async () => {
    const receiver = await startReceiver((n) => (n <= 3 ? 503 : 200));
    try {
      const { f, booth, endpoint } = await employerWithEndpoint(receiver.url);
      await visitBooth(app.platform.services, booth, await f.account('seeker'));
      await visitBooth(app.platform.services, booth, await f.account('seeker'));
      await until('eight events delivered', () => receiver.deduplicated().length >= 8, 15_000);
      await until(
        'attempts logged',
        async () => (await app.platform.services.webhooks.deliveries(booth.owner, endpoint.id)).every((d) => d.status === 'delivered'),
        5000,
      );
      const kept = receiver.deduplicated();
      expect(kept.map((r) => r.payload.type)).toEqual([...VISIT_EVENTS, ...VISIT_EVENTS]);
      expect(new Set(kept.map((r) => r.id)).size).toBe(8);
      // The first three requests were the same event (ordered per subject: nothing overtook it).
      expect(new Set(receiver.received.slice(0, 4).map((r) => r.id)).size).toBe(1);
      const log = await app.platform.services.webhooks.deliveries(booth.owner, endpoint.id);
      const first = log.at(-1)!;
      expect(first.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503, 200]);
      // Backoff: the n-th wait is at least 0.8 × 100 ms × 2^(n-1) (its jitter's floor). Only lower
      // bounds: a loaded machine can only lengthen a wait, so this holds however busy it is, and a
      // constant or missing backoff (the third wait under 320 ms) still fails it.
      const gaps = first.attempts.slice(1).map((a, i) => a.at.getTime() - first.attempts[i]!.at.getTime());
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(0.8 * 100 * 2 ** i - 5));
    } finally {
      await receiver.close();
    }
  });

  it('pauses an endpoint after repeated failures, mails its owner, keeps the events, and sends them on resume; a replay resends the same id', async () => {
    let healthy = false;
    const receiver = await startReceiver(() => (healthy ? 200 : 500));
    try {
      const { f, booth, endpoint } = await employerWithEndpoint(receiver.url, ['queue.joined']);
      const seeker = await f.account('seeker');
      await app.platform.services.queue.join(seeker, booth.id, true);
      await until('paused', async () => (await app.platform.services.webhooks.get(booth.owner, endpoint.id)).paused, 15_000);
      const attemptsWhenPaused = receiver.received.length;
      expect(attemptsWhenPaused).toBe(5);
      // The owner's mail is sent after the pause is committed, so it may land a moment later.
      const ownersMail = () => capturedMail(app.mailDir).find((m) => m.to === booth.owner.email);
      await until('owner mailed', () => ownersMail() !== undefined, 5000);
      expect(ownersMail()?.text).toContain(receiver.url);
      // Paused: nothing more is tried.
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received.length).toBe(attemptsWhenPaused);
      healthy = true;
      await app.platform.services.webhooks.setPaused(booth.owner, endpoint.id, false);
      await until('delivered after resume', () => receiver.deduplicated().length === 1, 10_000);
      // The attempt is logged just after the receiver answered, so the status may trail a moment.
      const firstDelivery = async () => (await app.platform.services.webhooks.deliveries(booth.owner, endpoint.id))[0];
      await until('logged as delivered', async () => (await firstDelivery())?.status === 'delivered', 5000);
      const delivery = await firstDelivery();
      await app.platform.services.webhooks.replay(booth.owner, delivery!.id);
      await until('replayed', () => receiver.received.filter((r) => r.answered === 200).length === 2, 10_000);
      const ok = receiver.received.filter((r) => r.answered === 200);
      expect(ok[1]!.id).toBe(ok[0]!.id);
    } finally {
      await receiver.close();
    }
  });

  it('signs with the old and the new secret for a while after a rotation', async () => {
    const receiver = await startReceiver();
    try {
      const { f, booth, endpoint, secret: old } = await employerWithEndpoint(receiver.url, ['queue.joined']);
      const { secret: rotated } = await app.platform.services.webhooks.rotateSecret(booth.owner, endpoint.id);
      await app.platform.services.queue.join(await f.account('seeker'), booth.id, true);
      await until('delivered', () => receiver.received.length === 1, 10_000);
      const r = receiver.received[0]!;
      expect(r.signature.split(' ')).toHaveLength(2);
      expect(receiver.verify(rotated, r)).toBeTruthy();
      expect(receiver.verify(old, r)).toBeTruthy();
    } finally {
      await receiver.close();
    }
  });

  it('sends nothing for a change that rolled back, and only to subscribed owners', async () => {
    const receiver = await startReceiver();
    try {
      const { f, booth, fair, organizer } = await employerWithEndpoint(receiver.url, ['interview.started']);
      // The fair's organizers subscribe to queue joins; another employer's booth at the same fair
      // is not this employer's business.
      const fairReceiver = await startReceiver();
      try {
        await app.platform.services.webhooks.create(organizer, { kind: 'fair', fairId: fair.id }, { url: fairReceiver.url, events: ['queue.joined'] });
        const seeker = await f.account('seeker');
        await app.platform.services.queue.join(seeker, booth.id, true);
        // A join that fails inside its transaction (the line is closed) writes no event.
        await expect(app.platform.services.queue.join(await f.account('seeker'), booth.id, false)).rejects.toThrow(ServiceError);
        await until('fair endpoint got the join', () => fairReceiver.received.length === 1, 10_000);
        await new Promise((r) => setTimeout(r, 300));
        expect(fairReceiver.received).toHaveLength(1);
        expect(receiver.received).toHaveLength(0); // the employer subscribed to interview.started only
        const events = await app.db.select().from(schema.webhookEvents).where(eq(schema.webhookEvents.employerId, booth.employerId));
        expect(events.map((e) => e.type)).toEqual(['queue.joined']);
      } finally {
        await fairReceiver.close();
      }
    } finally {
      await receiver.close();
    }
  });

  it('sends broadcast.ended once, signed, after broadcast.started, and nothing for an end that rolled back', async () => {
    const receiver = await startReceiver();
    try {
      const f = fixtures(app.db);
      const { fair, organizer } = await f.liveFair();
      const { secret } = await app.platform.services.webhooks.create(
        organizer,
        { kind: 'fair', fairId: fair.id },
        { url: receiver.url, events: ['broadcast.started', 'broadcast.ended'] },
      );
      // Starts in a day: the platform's own clock leaves it alone; this test moves time itself.
      const { broadcast } = await f.upcomingBroadcast({ fairId: fair.id, organizer });
      const broadcasts = app.platform.services.broadcasts;
      const during = new Date(broadcast.startsAt.getTime() + 60_000);
      const after = new Date(broadcast.endsAt.getTime() + 60_000);
      // Not over yet: nothing to close.
      expect(await broadcasts.closeDue(during)).toEqual([]);
      expect((await broadcasts.announceDue(during)).map((b) => b.id)).toContain(broadcast.id);

      // The end's transaction fails after the broadcast row was marked (a trigger refuses its
      // event): the mark rolls back with it and no event exists.
      await app.db.execute(
        sql.raw(`create function refuse_end() returns trigger language plpgsql as $$ begin
          if new.type = 'broadcast.ended' and new.payload->'data'->>'broadcastId' = '${broadcast.id}' then raise exception 'refused for the test'; end if;
          return new; end $$;
          create trigger refuse_end before insert on webhook_events for each row execute function refuse_end()`),
      );
      try {
        await expect(broadcasts.closeDue(after)).rejects.toThrow();
      } finally {
        await app.db.execute(sql.raw('drop trigger refuse_end on webhook_events; drop function refuse_end()'));
      }
      const [rolledBack] = await app.db.select().from(schema.broadcasts).where(eq(schema.broadcasts.id, broadcast.id));
      expect(rolledBack!.endedAt).toBeNull();
      const endEvents = async () =>
        (
          await app.db
            .select()
            .from(schema.webhookEvents)
            .where(eq(schema.webhookEvents.subject, `broadcast:${broadcast.id}`))
            .orderBy(schema.webhookEvents.seq)
        ).map((e) => e.type);
      expect(await endEvents()).toEqual(['broadcast.started']);

      // The next pass closes it (other tests' broadcasts in this database may close with it),
      // once: a second pass (another node's clock) does not close it again.
      expect((await broadcasts.closeDue(after)).map((b) => b.id)).toContain(broadcast.id);
      expect((await broadcasts.closeDue(new Date(after.getTime() + 60_000))).map((b) => b.id)).not.toContain(broadcast.id);
      const [closed] = await app.db.select().from(schema.broadcasts).where(eq(schema.broadcasts.id, broadcast.id));
      expect(closed!.endedAt).toEqual(after);

      await until('started and ended delivered', () => receiver.received.length >= 2, 10_000);
      await new Promise((r) => setTimeout(r, 300)); // nothing else follows
      expect(receiver.received.map((r) => r.payload.type)).toEqual(['broadcast.started', 'broadcast.ended']);
      for (const r of receiver.received) expect(receiver.verify(secret, r)).toMatchObject({ type: r.payload.type });
      expect(receiver.received[1]!.payload).toMatchObject({
        timestamp: after.toISOString(),
        data: { broadcastId: broadcast.id, fairId: fair.id, endedAt: after.toISOString(), endsAt: broadcast.endsAt.toISOString() },
      });
      expect(await endEvents()).toEqual(['broadcast.started', 'broadcast.ended']);
    } finally {
      await receiver.close();
    }
  });

  it('sends replay.ready once per replay, in the transaction that marks it ready', async () => {
    const receiver = await startReceiver();
    try {
      const f = fixtures(app.db);
      const { fair, organizer } = await f.liveFair();
      const { secret } = await app.platform.services.webhooks.create(
        organizer,
        { kind: 'fair', fairId: fair.id },
        { url: receiver.url, events: ['replay.ready'] },
      );
      const { broadcast } = await f.upcomingBroadcast({ fairId: fair.id, organizer });
      const recordings = app.platform.services.recordings;
      await app.db.insert(schema.broadcastRecordings).values({ broadcastId: broadcast.id, status: 'composing' });
      const out = {
        mp4Key: `recordings/${broadcast.id}/replay.mp4`,
        hlsKey: `recordings/${broadcast.id}/hls/index.m3u8`,
        durationMs: 21_500,
        startedAt: new Date(),
      };

      // Marking it ready fails after the row changed (a trigger refuses its event): neither stays.
      await app.db.execute(
        sql.raw(`create function refuse_replay() returns trigger language plpgsql as $$ begin
          if new.type = 'replay.ready' and new.payload->'data'->>'broadcastId' = '${broadcast.id}' then raise exception 'refused for the test'; end if;
          return new; end $$;
          create trigger refuse_replay before insert on webhook_events for each row execute function refuse_replay()`),
      );
      try {
        await expect(recordings.ready(broadcast.id, out)).rejects.toThrow();
      } finally {
        await app.db.execute(sql.raw('drop trigger refuse_replay on webhook_events; drop function refuse_replay()'));
      }
      const [still] = await app.db.select().from(schema.broadcastRecordings).where(eq(schema.broadcastRecordings.broadcastId, broadcast.id));
      expect(still!.status).toBe('composing');

      // Ready twice (a job run again after a lost acknowledgement): one event.
      expect(await recordings.ready(broadcast.id, out)).toBe(true);
      expect(await recordings.ready(broadcast.id, out)).toBe(false);
      await until('replay.ready delivered', () => receiver.received.length >= 1, 10_000);
      await new Promise((r) => setTimeout(r, 500)); // nothing else follows
      expect(receiver.received).toHaveLength(1);
      const [event] = receiver.received;
      expect(receiver.verify(secret, event!)).toMatchObject({ type: 'replay.ready' });
      expect(event!.payload.data).toEqual({
        broadcastId: broadcast.id,
        fairId: fair.id,
        title: broadcast.title,
        durationMs: 21_500,
        replayPath: `/broadcasts/${broadcast.id}`,
      });
      const events = await app.db
        .select()
        .from(schema.webhookEvents)
        .where(eq(schema.webhookEvents.subject, `broadcast:${broadcast.id}`));
      expect(events.map((e) => e.type)).toEqual(['replay.ready']);
    } finally {
      await receiver.close();
    }
  });

  it('sends invitation.answered for the invitations that exist: a booth (employer and fair), a team seat (employer), a co-host (fair)', async () => {
    const employerReceiver = await startReceiver();
    const fairReceiver = await startReceiver();
    try {
      const f = fixtures(app.db);
      const services = app.platform.services;
      // An employer (its booth at another fair) and a fair it is not at yet.
      const { booths } = await f.liveFair({ employers: ['Invitee'] });
      const employer = booths.Invitee;
      const { fair, organizer } = await f.liveFair();
      const employerHook = await services.webhooks.create(
        employer.owner,
        { kind: 'employer', employerId: employer.employerId },
        { url: employerReceiver.url, events: ['invitation.answered'] },
      );
      const fairHook = await services.webhooks.create(organizer, { kind: 'fair', fairId: fair.id }, { url: fairReceiver.url, events: ['invitation.answered'] });

      // The organizer invites the employer; the employer's owner accepts. A second answer is refused
      // (and sends nothing).
      const booth = await services.fairs.invite(organizer, fair.id, employer.employerId);
      await services.fairs.acceptInvitation(employer.owner, booth.id);
      await expect(services.fairs.acceptInvitation(employer.owner, booth.id)).rejects.toMatchObject({ code: 'CONFLICT' });
      // The owner invites a recruiter, who accepts from their profile.
      // Signed in, the session says the operator-made address is verified.
      const recruiter = { ...(await f.account('seeker', 'recruiter')), emailVerified: true };
      await services.employers.invite(employer.owner, employer.employerId, { email: recruiter.email });
      const [invitation] = await services.employers.invitationsFor(recruiter);
      await services.employers.acceptInvitation(recruiter, invitation!.id);
      // The organizer names a co-host for a broadcast of the fair, who accepts through the mailed link.
      const cohost = await f.account('seeker', 'cohost');
      const start = new Date(Date.now() + 24 * 3600_000);
      const broadcast = await services.broadcasts.create(organizer, {
        title: 'Co-hosted',
        topic: 'policy_qa',
        fairId: fair.id,
        startsAt: start,
        endsAt: new Date(start.getTime() + 3600_000),
        hostEmails: cohost.email,
      });
      await services.invitations.accept(cohost, linkToken(await mailTo(app.mailDir, cohost.email), '/invitations'));

      await until('employer got two answers', () => employerReceiver.received.length >= 2, 10_000);
      await until('fair got two answers', () => fairReceiver.received.length >= 2, 10_000);
      await new Promise((r) => setTimeout(r, 300)); // and nothing more
      expect(employerReceiver.received.map((r) => r.payload.data)).toEqual([
        expect.objectContaining({ invitation: 'booth', answer: 'accepted', boothId: booth.id, fairId: fair.id, employerId: employer.employerId }),
        expect.objectContaining({ invitation: 'team', answer: 'accepted', employerId: employer.employerId, userId: recruiter.id }),
      ]);
      expect(fairReceiver.received.map((r) => r.payload.data)).toEqual([
        expect.objectContaining({ invitation: 'booth', answer: 'accepted', boothId: booth.id }),
        expect.objectContaining({ invitation: 'host', answer: 'accepted', broadcastId: broadcast.id, userId: cohost.id }),
      ]);
      for (const r of employerReceiver.received) expect(employerReceiver.verify(employerHook.secret, r)).toMatchObject({ type: 'invitation.answered' });
      for (const r of fairReceiver.received) expect(fairReceiver.verify(fairHook.secret, r)).toMatchObject({ type: 'invitation.answered' });
    } finally {
      await employerReceiver.close();
      await fairReceiver.close();
    }
  });

  it('lets the owner edit an endpoint (address, description, events) under the rules of creation; nobody else', async () => {
    const { f, booth, endpoint } = await employerWithEndpoint('http://127.0.0.1:9/hooks', ['queue.joined']);
    const webhooks = app.platform.services.webhooks;
    const edited = await webhooks.update(booth.owner, endpoint.id, {
      url: 'http://127.0.0.1:9/v2',
      description: ' ATS ',
      events: ['interview.ended', 'invitation.answered', 'interview.ended'],
    });
    expect(edited).toMatchObject({ url: 'http://127.0.0.1:9/v2', description: 'ATS', events: ['interview.ended', 'invitation.answered'] });
    expect(edited).not.toHaveProperty('secret');
    const refused = (input: unknown) => webhooks.update(booth.owner, endpoint.id, input).catch((e: unknown) => e);
    expect(await refused({ url: 'http://127.0.0.1:9/v2', events: [] })).toMatchObject({ code: 'INVALID', fields: { events: 'required' } });
    expect(await refused({ url: '', events: ['queue.joined'] })).toMatchObject({ code: 'INVALID', fields: { url: 'required' } });
    expect(await refused({ url: 'http://127.0.0.1:9/v2', description: 'x'.repeat(201), events: ['queue.joined'] })).toMatchObject({
      code: 'INVALID',
      fields: { description: 'too_long' },
    });
    expect(await refused({ url: 'http://127.0.0.1:9/v2', events: ['queue.joined', 'no.such'] })).toMatchObject({
      code: 'INVALID',
      fields: { events: 'invalid' },
    });
    // A recruiter of the employer may look, not change; a stranger may do neither.
    const recruiter = { ...(await f.account('seeker', 'recruiter')), emailVerified: true };
    await app.platform.services.employers.invite(booth.owner, booth.employerId, { email: recruiter.email });
    const [invitation] = await app.platform.services.employers.invitationsFor(recruiter);
    await app.platform.services.employers.acceptInvitation(recruiter, invitation!.id);
    expect((await webhooks.get(recruiter, endpoint.id)).url).toBe('http://127.0.0.1:9/v2');
    expect(await webhooks.update(recruiter, endpoint.id, { url: 'http://127.0.0.1:9/x', events: ['queue.joined'] }).catch((e: unknown) => e)).toMatchObject({
      code: 'NOT_AUTHORIZED',
    });
    const stranger = await f.account('employer');
    expect(await webhooks.update(stranger, endpoint.id, { url: 'http://127.0.0.1:9/x', events: ['queue.joined'] }).catch((e: unknown) => e)).toMatchObject({
      code: 'NOT_AUTHORIZED',
    });
    expect(await webhooks.update(booth.owner, 'not-an-id', { url: 'http://127.0.0.1:9/x', events: ['queue.joined'] }).catch((e: unknown) => e)).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await webhooks.get(booth.owner, endpoint.id)).events).toEqual(['interview.ended', 'invitation.answered']);
  });

  it("refuses another employer's endpoints, and outcome events for a fair's organizers", async () => {
    const { f, endpoint } = await employerWithEndpoint('http://127.0.0.1:9/hooks', ['queue.joined']);
    const stranger = await f.account('employer');
    await expect(app.platform.services.webhooks.deliveries(stranger, endpoint.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(app.platform.services.webhooks.rotateSecret(stranger, endpoint.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    const { fair, organizer } = await f.liveFair();
    await expect(
      app.platform.services.webhooks.create(organizer, { kind: 'fair', fairId: fair.id }, { url: 'http://127.0.0.1:9/x', events: ['outcome.recorded'] }),
    ).rejects.toMatchObject({ code: 'INVALID', fields: { events: 'invalid' } });
  });
});

describe('webhook addresses', () => {
  let app: Awaited<ReturnType<typeof startPlatform>>;
  beforeAll(async () => {
    // The defaults: no private addresses. No worker either (the shared database is other tests').
    app = await startPlatform({ env: { WEBHOOK_POLL_MS: '0' } });
  });
  afterAll(async () => {
    await app?.platform.close();
  });

  it.each([
    ['https://127.0.0.1/hooks', 'private_address'],
    ['https://localhost/hooks', 'private_address'],
    ['https://10.1.2.3/hooks', 'private_address'],
    ['https://169.254.169.254/latest/meta-data', 'private_address'],
    ['https://[::1]/hooks', 'private_address'],
    ['https://[::ffff:127.0.0.1]/hooks', 'private_address'],
    ['https://[fd00::1]/hooks', 'private_address'],
    ['http://93.184.216.34/hooks', 'https_required'],
    ['https://user:pw@93.184.216.34/hooks', 'invalid'],
    ['https://no-such-host.invalid/hooks', 'unresolvable'],
  ])('refuses %s (%s)', async (url, reason) => {
    const { booths } = await fixtures(app.db).liveFair({ employers: ['Guarded'] });
    await expect(
      app.platform.services.webhooks.create(
        booths.Guarded.owner,
        { kind: 'employer', employerId: booths.Guarded.employerId },
        { url, events: ['queue.joined'] },
      ),
    ).rejects.toMatchObject({ code: 'INVALID', fields: { url: reason } });
  });

  it('refuses a private address on an edit too', async () => {
    const { booths } = await fixtures(app.db).liveFair({ employers: ['Edited'] });
    const owner = booths.Edited.owner;
    const { endpoint } = await app.platform.services.webhooks.create(
      owner,
      { kind: 'employer', employerId: booths.Edited.employerId },
      { url: 'https://93.184.216.34/hooks', events: ['queue.joined'] },
    );
    await expect(
      app.platform.services.webhooks.update(owner, endpoint.id, { url: 'https://169.254.169.254/latest/meta-data', events: ['queue.joined'] }),
    ).rejects.toMatchObject({ code: 'INVALID', fields: { url: 'private_address' } });
    expect((await app.platform.services.webhooks.get(owner, endpoint.id)).url).toBe('https://93.184.216.34/hooks');
  });
});
