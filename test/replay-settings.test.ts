import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixtures } from './fixtures.ts';
import { sessionCookie, startPlatform } from './helpers.ts';

// Signaling-only nodes: a Redis prefix of their own (a deployment's nodes are all split or all of both roles).
const SPLIT_PREFIX = `${inject('redisPrefix')}split`;

/**
 * The recording's controls through the pages' endpoint (/broadcasts/<id>/recording, what
 * RecordingToggle, RecordingMark and ReplaySettings call): a host turns recording off and on
 * before live; an organizer sets who may watch and unpublishes, which the file endpoint obeys;
 * others may not change anything; deleting removes the files.
 */
describe('replay settings', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'fairground-replay-settings-'));

  beforeAll(async () => {
    ctx = await startPlatform({
      web: true,
      redis: true,
      env: { DATA_DIR: dataDir, CLOCK_INTERVAL_MS: '0', NODE_ROLES: 'signaling', REDIS_PREFIX: SPLIT_PREFIX },
    });
  });
  afterAll(async () => {
    await ctx?.platform.close();
  });

  const state = async (id: string, cookie?: string) => {
    const res = await fetch(`${ctx.url}/broadcasts/${id}/recording`, { headers: cookie ? { cookie } : {} });
    return { status: res.status, body: (await res.json()) as { recorded: boolean; canManage: boolean; changeable: boolean; replay: unknown; code?: string } };
  };
  const post = async (id: string, body: unknown, cookie?: string) => {
    const res = await fetch(`${ctx.url}/broadcasts/${id}/recording`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ctx.url, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as { code?: string; recorded?: boolean } | null };
  };

  it('lets a host turn recording off and on before live, and nobody else', async () => {
    const f = fixtures(ctx.db);
    const { broadcast, organizer } = await f.upcomingBroadcast();
    const host = await sessionCookie(ctx.platform.auth, organizer.email);
    const seeker = await sessionCookie(ctx.platform.auth, (await f.account('seeker')).email);
    expect((await state(broadcast.id)).body).toMatchObject({ recorded: true, canManage: false, changeable: false });
    expect((await state(broadcast.id, host)).body).toMatchObject({ recorded: true, canManage: true, changeable: true });

    expect((await post(broadcast.id, { action: 'record', enabled: false }, host)).body).toMatchObject({ recorded: false });
    // What every viewer's mark reads.
    expect((await state(broadcast.id)).body.recorded).toBe(false);
    expect((await post(broadcast.id, { action: 'record', enabled: true }, host)).body).toMatchObject({ recorded: true });

    expect(await post(broadcast.id, { action: 'record', enabled: false }, seeker)).toMatchObject({ status: 403, body: { code: 'NOT_AUTHORIZED' } });
    expect((await post(broadcast.id, { action: 'record', enabled: false })).status).toBe(403);
    expect((await post(broadcast.id, { action: 'record', enabled: 'no' }, host)).status).toBe(400);
    expect((await post(broadcast.id, { action: 'configure', visibility: 'everyone' }, host)).status).toBe(400);
    expect((await state(broadcast.id)).body.recorded).toBe(true);
  });

  it('sets who may watch and unpublishes, which the file endpoint obeys; deleting removes the files', async () => {
    const f = fixtures(ctx.db);
    const { broadcast, organizer } = await f.upcomingBroadcast();
    const id = broadcast.id;
    const cookie = await sessionCookie(ctx.platform.auth, organizer.email);
    const mp4Key = `recordings/${id}/replay.mp4`;
    const hlsKey = `recordings/${id}/hls/index.m3u8`;
    for (const key of [mp4Key, hlsKey]) {
      mkdirSync(dirname(join(dataDir, key)), { recursive: true });
      writeFileSync(join(dataDir, key), 'replay bytes');
    }
    await ctx.platform.services.recordings.configure(organizer, id, {});
    await ctx.platform.services.recordings.ready(id, { mp4Key, hlsKey, durationMs: 1000, startedAt: new Date() });
    const file = () => fetch(`${ctx.url}/recordings/${id}/replay.mp4`).then((r) => r.status);
    expect(await file()).toBe(200);

    expect((await post(id, { action: 'configure', visibility: 'signed_in' }, cookie)).status).toBe(200);
    expect(await file()).toBe(404);
    expect((await post(id, { action: 'configure', visibility: 'public', published: false }, cookie)).status).toBe(200);
    expect(await file()).toBe(404);
    expect((await state(id)).body.replay).toBeNull();
    expect((await post(id, { action: 'configure', published: true }, cookie)).status).toBe(200);
    expect(await file()).toBe(200);

    expect((await post(id, { action: 'delete' }, cookie)).status).toBe(200);
    expect(await file()).toBe(404);
    expect((await state(id, cookie)).body.replay).toBeNull();
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dataDir, `recordings/${id}`))).toBe(false);
  });
});
