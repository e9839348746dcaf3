import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@fairground/db';
import { fixtures } from '../fixtures.ts';
import type { QueuePlace } from '../../signaling/src/protocol/index.ts';
import { connectTestClient, send, sessionCookie, startPlatform, type TestClient } from '../helpers.ts';
import { PrivatePostgres } from './private-postgres.ts';

/**
 * Postgres crashes under a running platform and comes back. Requests fail fast with UNAVAILABLE
 * (not a hang, not INTERNAL), the health check says the database is down, and once it is back
 * everything works again with nothing that was acknowledged lost.
 */
describe('Postgres restarts under a running node', () => {
  let pg: PrivatePostgres;
  let node: Awaited<ReturnType<typeof startPlatform>>;
  let recruiter: TestClient;
  let seeker: TestClient;
  let boothId: string;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    const admin = await connect({ url: pg.url() });
    await admin.db.execute('create database fairground' as never);
    await admin.close();
    node = await startPlatform({ web: true, env: { DATABASE_URL: pg.url('fairground') } });
    const f = fixtures(node.db);
    const { booths } = await f.liveFair({ employers: ['Xinghe'] });
    boothId = booths.Xinghe.id;
    const seekerAccount = await f.account('seeker');
    recruiter = await connectTestClient(node.url, { cookie: await sessionCookie(node.platform.auth, booths.Xinghe.owner.email) });
    seeker = await connectTestClient(node.url, { cookie: await sessionCookie(node.platform.auth, seekerAccount.email) });
  }, 180_000);

  afterAll(async () => {
    recruiter?.disconnect();
    seeker?.disconnect();
    await node?.platform.close();
    await pg?.stop();
  });

  it('answers UNAVAILABLE within seconds while it is down, and serves again when it is back; acknowledged writes survive', async () => {
    expect(await send(recruiter, 'booth:join', { boothId })).toMatchObject({ ok: true });
    expect(await send(recruiter, 'queue:duty', { boothId, onDuty: true })).toMatchObject({ ok: true });
    expect(await send(seeker, 'booth:join', { boothId })).toMatchObject({ ok: true });
    const joined = await send<QueuePlace>(seeker, 'queue:join', { boothId });
    expect(joined).toMatchObject({ ok: true });

    await pg.crash();
    const started = Date.now();
    const refused = await send(seeker, 'queue:leave', { boothId });
    const took = Date.now() - started;
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(took).toBeLessThan(5000);
    const health = await fetch(`${node.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ checks: { database: 'fail' } });
    // A page says so in the reader's language, without details.
    const page = await fetch(`${node.url}/`, { headers: { 'accept-language': 'zh-CN', accept: 'text/html' } });
    const html = await page.text();
    expect(page.status).toBe(500);
    expect(html).toContain('服务暂时不可用');
    expect(html).not.toMatch(/ECONNREFUSED|postgres|stack/i);

    const restartedAt = Date.now();
    await pg.restart();
    // The pool reconnects on the next request: within a few seconds everything answers again.
    let back = await send<QueuePlace[]>(seeker, 'queue:places', {});
    for (let i = 0; i < 20 && !back.ok; i++) {
      await new Promise((r) => setTimeout(r, 500));
      back = await send<QueuePlace[]>(seeker, 'queue:places', {});
    }
    expect(back.ok).toBe(true);
    process.stderr.write(`[chaos] postgres crash: UNAVAILABLE after ${took} ms; served again ${Date.now() - restartedAt} ms after its restart began\n`);
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    // The place acknowledged before the crash is still there.
    expect(back.ok && back.data.map((p) => p.boothId)).toContain(boothId);
    expect(await send(seeker, 'queue:leave', { boothId })).toMatchObject({ ok: true });
  }, 120_000);
});
