import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { AudienceLedger } from './broadcast-audience.ts';
import { ReportService } from './reports.ts';

/**
 * The per-broadcast report and the fair report's broadcast rows on real Postgres: the audience is
 * written through the AudienceLedger (as the signaling nodes write it), with explicit times, and
 * the report must come out exactly.
 */
describe('ReportService.broadcastReport', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let reports: ReportService;
  let ledger: AudienceLedger;
  let fairId: string;
  const t0 = new Date('2026-04-01T02:00:00Z');
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  const user = async (email: string): Promise<SessionUser> => {
    const [u] = await fresh.database.db.select().from(schema.users).where(eq(schema.users.email, email));
    return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
  };
  async function broadcast(title: string, options: { status?: 'draft' | 'published'; fairId?: string | null; host?: string } = {}) {
    const db = fresh.database.db;
    const [row] = await db
      .insert(schema.broadcasts)
      .values({
        title,
        topic: 'policy_qa',
        startsAt: t0,
        endsAt: at(3600),
        status: options.status ?? 'published',
        fairId: options.fairId === undefined ? fairId : options.fairId,
      })
      .returning();
    await db.insert(schema.broadcastHosts).values({ broadcastId: row!.id, userId: (await user(options.host ?? 'employer@example.com')).id });
    return row!.id;
  }

  beforeAll(async () => {
    fresh = await freshDatabase('broadcast_report');
    reports = new ReportService(fresh.database.db);
    ledger = new AudienceLedger(fresh.database.db);
    fairId = (await fixtures(fresh.database.db).liveFair({ organizer: await user('organizer@example.com') })).fair.id;
  });
  afterAll(async () => {
    await fresh?.drop();
  });

  it('reports the series, peak, views, unique viewers and watch time exactly', async () => {
    const id = await broadcast('政策答疑 Policy Q&A');
    // Two viewers; a has a second tab, leaves and returns within 30 s (same view), then again after 100 s (new view).
    await ledger.watching(id, 'user:a', at(0));
    await ledger.raisePeak(id, 1, at(0));
    await ledger.watching(id, 'device:b', at(3));
    await ledger.raisePeak(id, 2, at(3));
    await ledger.watching(id, 'user:a', at(4)); // second tab
    await ledger.sample(id, 2, at(5));
    await ledger.sample(id, 2, at(5.5)); // another node, same boundary: one row
    await ledger.sample(id, 2, at(10));
    await ledger.stopped(id, 'user:a', at(12));
    await ledger.stopped(id, 'user:a', at(12)); // retried: once
    await ledger.sample(id, 1, at(15));
    await ledger.watching(id, 'user:a', at(30)); // back after 18 s: the same view
    await ledger.raisePeak(id, 2, at(30));
    await ledger.sample(id, 2, at(30));
    await ledger.stopped(id, 'device:b', at(33));
    await ledger.stopped(id, 'user:a', at(40));
    await ledger.sample(id, 0, at(40));
    await ledger.watching(id, 'user:a', at(140)); // after 100 s: a new view
    await ledger.stopped(id, 'user:a', at(150));

    const report = await reports.broadcastReport(await user('organizer@example.com'), id, at(200));
    expect(report.broadcast).toMatchObject({ id, title: '政策答疑 Policy Q&A', status: 'published', hosts: ['王芳 Wang Fang'] });
    expect(report.fair).toMatchObject({ id: fairId });
    // a: 12 + 10 + 10 = 32 s; b: 30 s.
    expect(report.stats).toEqual({
      broadcastId: id,
      live: 0,
      peak: 2,
      views: 3,
      unique: 2,
      watchSeconds: 62,
      averageWatchSeconds: 31,
      samples: [
        { at: at(5).toISOString(), live: 2 },
        { at: at(10).toISOString(), live: 2 },
        { at: at(15).toISOString(), live: 1 },
        { at: at(30).toISOString(), live: 2 },
        { at: at(40).toISOString(), live: 0 },
      ],
    });

    // The fair report lists it with the same numbers (published broadcasts of this fair only).
    await broadcast('Draft, not listed', { status: 'draft' });
    await broadcast('Elsewhere, not listed', { fairId: null });
    const fair = await reports.fairReport(await user('organizer@example.com'), fairId, at(200));
    const mine = fair.broadcasts.filter((b) => b.title !== 'Draft, not listed' && b.title !== 'Elsewhere, not listed');
    expect(fair.broadcasts.map((b) => b.title)).not.toContain('Draft, not listed');
    expect(fair.broadcasts.map((b) => b.title)).not.toContain('Elsewhere, not listed');
    expect(mine.find((b) => b.broadcastId === id)?.audience).toEqual({
      broadcastId: id,
      peak: 2,
      views: 3,
      unique: 2,
      watchSeconds: 62,
      averageWatchSeconds: 31,
    });
  });

  it('counts a viewer still watching up to now, and gives zeros before anyone came', async () => {
    const id = await broadcast('Still on');
    await ledger.watching(id, 'user:z', at(0));
    await ledger.raisePeak(id, 1, at(0));
    await ledger.sample(id, 1, at(95));
    const report = await reports.broadcastReport(await user('employer@example.com'), id, at(100));
    expect(report.stats).toMatchObject({ live: 1, peak: 1, views: 1, unique: 1, watchSeconds: 100, averageWatchSeconds: 100 });

    const empty = await broadcast('Nobody came');
    expect((await reports.broadcastReport(await user('organizer@example.com'), empty, at(100))).stats).toEqual({
      broadcastId: empty,
      live: 0,
      peak: 0,
      views: 0,
      unique: 0,
      watchSeconds: 0,
      averageWatchSeconds: 0,
      samples: [],
    });
  });

  it('lets organizers, admins and the named hosts read it; anyone else learns nothing', async () => {
    const id = await broadcast('Hosted by Wang Fang');
    await ledger.watching(id, 'user:q', at(0));
    const draft = await broadcast('A draft', { status: 'draft' });
    const organizer = await user('organizer@example.com');
    const host = await user('employer@example.com');
    const admin: SessionUser = { ...(await user('employer3@example.com')), role: 'admin' };

    await expect(reports.broadcastReport(organizer, id)).resolves.toMatchObject({ stats: { views: 1 } });
    await expect(reports.broadcastReport(admin, id)).resolves.toMatchObject({ stats: { views: 1 } });
    await expect(reports.broadcastReport(host, id)).resolves.toMatchObject({ stats: { views: 1 } });
    await expect(reports.broadcastReport(host, draft)).resolves.toMatchObject({ broadcast: { id: draft } });
    await expect(reports.broadcastReport(organizer, draft)).resolves.toMatchObject({ broadcast: { id: draft } });

    const refusals: Array<[SessionUser | null, string, string]> = [
      [await user('employer2@example.com'), id, 'NOT_AUTHORIZED'],
      [await user('seeker@example.com'), id, 'NOT_AUTHORIZED'],
      [null, id, 'UNAUTHENTICATED'],
      [await user('seeker@example.com'), draft, 'NOT_FOUND'],
      [await user('employer2@example.com'), draft, 'NOT_FOUND'],
      [null, draft, 'UNAUTHENTICATED'],
      [organizer, '00000000-0000-0000-0000-000000000000', 'NOT_FOUND'],
    ];
    for (const [actor, broadcastId, code] of refusals) {
      const error = await reports.broadcastReport(actor, broadcastId).then(
        () => null,
        (e: unknown) => e as { code: string; message: string; fields: Record<string, string> },
      );
      expect(error, `${actor?.email ?? 'visitor'} on ${broadcastId}`).toMatchObject({ code });
      // The refusal carries no numbers and no title.
      expect(JSON.stringify({ message: error!.message, fields: error!.fields })).not.toMatch(/Hosted by|A draft|views|\d/);
    }
    // The fair report (with its broadcast rows) is for organizers only.
    await expect(reports.fairReport(host, fairId)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
  });
});
