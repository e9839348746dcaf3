import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, schema, type Database } from '@fairground/db';
import { AudienceLedger, broadcastStats } from './index.ts';

/** The audience ledger on real Postgres, with explicit times (no waiting on the clock). */
let database: Database;
let ledger: AudienceLedger;
const t0 = new Date('2026-03-01T02:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

async function newBroadcast(): Promise<string> {
  const [row] = await database.db
    .insert(schema.broadcasts)
    .values({ title: 'Audience test', topic: 'policy_qa', startsAt: t0, endsAt: at(3600), status: 'published' })
    .returning();
  return row!.id;
}

beforeAll(async () => {
  database = await connect({ url: inject('databaseUrl') });
  ledger = new AudienceLedger(database.db);
});
afterAll(() => database?.close());

describe('AudienceLedger', () => {
  it('counts views, unique viewers and watch time; a return within 30 s is the same view', async () => {
    const id = await newBroadcast();
    await ledger.watching(id, 'user:a', at(0));
    await ledger.watching(id, 'user:a', at(1)); // a second tab: nothing new
    await ledger.watching(id, 'device:b', at(0));
    await ledger.stopped(id, 'user:a', at(60));
    await ledger.stopped(id, 'user:a', at(61)); // twice (two nodes): once
    await ledger.watching(id, 'user:a', at(80)); // back after 20 s: same view
    await ledger.stopped(id, 'user:a', at(100));
    await ledger.watching(id, 'user:a', at(200)); // back after 100 s: a new view
    await ledger.stopped(id, 'device:b', at(120));

    const s = await broadcastStats(database.db, id, at(230));
    expect(s).toMatchObject({ views: 3, unique: 2, peak: 0 });
    // a: 60 + 20 + 30 (open) = 110 s; b: 120 s. The 20 s gap is not watch time.
    expect(s.watchSeconds).toBe(230);
    expect(s.averageWatchSeconds).toBe(115);
  });

  it('keeps the highest peak and one sample per 5 s boundary whatever the number of nodes', async () => {
    const id = await newBroadcast();
    await Promise.all([ledger.raisePeak(id, 3, at(1)), ledger.raisePeak(id, 7, at(2)), ledger.raisePeak(id, 5, at(3))]);
    await ledger.sample(id, 4, at(5.2));
    await ledger.sample(id, 4, at(6)); // the same boundary from another node
    await ledger.sample(id, 6, at(10.1));
    const s = await broadcastStats(database.db, id, at(12));
    expect(s.peak).toBe(7);
    expect(s.samples).toEqual([
      { at: at(5).toISOString(), live: 4 },
      { at: at(10).toISOString(), live: 6 },
    ]);
    expect(s.live).toBe(6);
    expect((await broadcastStats(database.db, id, at(60))).live).toBe(0);
  });

  it('opens one view when a viewer’s connections arrive on several nodes at once', async () => {
    const id = await newBroadcast();
    await Promise.all(Array.from({ length: 8 }, () => ledger.watching(id, 'user:c', at(0))));
    expect((await ledger.stats(id, at(1))).views).toBe(1);
  });

  it('writes a batch of viewers as each would be written alone: new, continuing, returning, named twice', async () => {
    const [one, many] = [await newBroadcast(), await newBroadcast()];
    const history = async (id: string, write: (ids: string[], t: Date) => Promise<void>) => {
      await write(['user:a', 'user:b', 'device:c'], at(0));
      await ledger.stopped(id, 'user:a', at(10));
      await ledger.stopped(id, 'user:b', at(10));
      // a is back after 20 s (the same view), b after 50 s (a new one), c still watching, d is new and named twice.
      await write(['user:a', 'device:c', 'device:d', 'device:d'], at(30));
      await write(['user:b'], at(60));
    };
    await history(one, async (ids, t) => {
      for (const identity of ids) await ledger.watching(one, identity, t);
    });
    await history(many, (ids, t) => ledger.watchingMany(many, ids, t));
    const [a, b] = [await ledger.stats(one, at(90)), await ledger.stats(many, at(90))];
    expect(b).toMatchObject({ views: a.views, unique: a.unique, watchSeconds: a.watchSeconds });
    expect(b).toMatchObject({ views: 5, unique: 4 });
  });
});
