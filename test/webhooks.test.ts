import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ServiceError } from '@fairground/core';
import { schema } from '@fairground/db';
import { capturedMail, freshDatabase, startPlatform, until } from './helpers.ts';
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
      // Backoff: each wait at least (0.8 ×) twice the one before.
      const gaps = first.attempts.slice(1).map((a, i) => a.at.getTime() - first.attempts[i]!.at.getTime());
      expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.2);
      expect(gaps[2]!).toBeGreaterThan(gaps[1]! * 1.2);
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
      const mail = capturedMail(app.mailDir).find((m) => m.to === booth.owner.email);
      expect(mail?.text).toContain(receiver.url);
      // Paused: nothing more is tried.
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received.length).toBe(attemptsWhenPaused);
      healthy = true;
      await app.platform.services.webhooks.setPaused(booth.owner, endpoint.id, false);
      await until('delivered after resume', () => receiver.deduplicated().length === 1, 10_000);
      const [delivery] = await app.platform.services.webhooks.deliveries(booth.owner, endpoint.id);
      expect(delivery!.status).toBe('delivered');
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
});
