import type { Browser, BrowserContext, Page } from '@playwright/test';
import { createClient, type RedisClientType } from 'redis';
import { inject } from 'vitest';
import { connect, createAuth, type Database } from '@fairground/db';
import { ensureWebBuild, WEB_HANDLER } from '../scripts/prepare.mjs';
import { fixtures } from './fixtures.ts';
import { startNode, stopNodes, testNodeEnv, type NodeProcess } from './node-process.ts';

export { nodeMetric } from './node-process.ts';
import { sessionCookie } from './helpers.ts';
import { launchFakeCameraChromium, openTrackedPage } from './browser-pages.ts';

/** Frames decoded per inbound video stream (by peer connection and stats id) on the page. */
export function framesByStream(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const video: Record<string, number> = {};
    for (const [i, pc] of (window.__peerConnections ?? []).entries()) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') video[`${i}:${String(r.id)}`] = Number(r.framesDecoded ?? 0);
      });
    }
    return video;
  });
}

/** Frames decoded on video streams the page did not have in `before` (a new consumer after a move). */
export const framesOnNewStreams = async (page: Page, before: Record<string, number>): Promise<number> =>
  Object.entries(await framesByStream(page))
    .filter(([id]) => !(id in before))
    .reduce((sum, [, frames]) => sum + frames, 0);

export interface SplitRolesStage {
  /** The node serving the built pages (signaling-only, or of both roles with `combined`), then the two media-only ones. */
  signaling: NodeProcess;
  m1: NodeProcess;
  m2: NodeProcess;
  redis: RedisClientType;
  broadcastId: string;
  hostCookie: string;
  /** Which media node holds the broadcast's room now (its node id), '' when none. */
  placedOn(): Promise<string>;
  /** A tracked page (its peer connections' stats readable), signed in with `cookie` if given. */
  open(url: string, cookie?: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Split roles through the real pages: a signaling-only `main.ts` serving the built SvelteKit app
 * and two media-only ones (the suite's Redis under `name`'s prefix, its Postgres), an on-air
 * broadcast with its host signed in, Chromium with a fake camera. `env` adds a test's settings;
 * `combined` makes the first node one of both roles (the media-only nodes are its edges).
 */
export async function startSplitRolesStage(name: string, env: Record<string, string> = {}, { combined = false } = {}): Promise<SplitRolesStage> {
  ensureWebBuild();
  const prefix = `${inject('redisPrefix')}${name}`;
  const secret = 's'.repeat(32);
  const nodeEnv = {
    ...testNodeEnv(prefix, secret),
    NODE_ENV: 'test',
    // The production defaults: Chromium and three nodes on two shared cores stall at times.
    NODE_HEARTBEAT_MS: '1000',
    NODE_TTL_MS: '5000',
    ...env,
  };
  const nodes: NodeProcess[] = [];
  const contexts: BrowserContext[] = [];
  let database: Database | undefined;
  let browser: Browser | undefined;
  let redis: RedisClientType | undefined;
  const close = async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await stopNodes(nodes);
    await redis?.close();
    await database?.close();
  };
  try {
    nodes.push(
      ...(await Promise.all([
        startNode({ ...nodeEnv, NODE_ID: 'sig', ...(combined ? {} : { NODE_ROLES: 'signaling' }), WEB_HANDLER }),
        startNode({ ...nodeEnv, NODE_ID: 'm1', NODE_ROLES: 'media' }),
        startNode({ ...nodeEnv, NODE_ID: 'm2', NODE_ROLES: 'media' }),
      ])),
    );
    redis = createClient({ url: inject('redisUrl') }) as RedisClientType;
    await redis.connect();
    database = await connect({ url: inject('databaseUrl'), migrate: false });
    const f = fixtures(database.db);
    const host = await f.account('employer', `${name}-pages-host`);
    const broadcastId = (await f.onAirBroadcast(host.id)).id;
    const auth = createAuth(database.db, { secret, baseURL: nodes[0]!.url, attemptsPerMinute: 1000 });
    const hostCookie = await sessionCookie(auth, host.email);
    browser = await launchFakeCameraChromium();
    const openedBy = browser;
    const client = redis;
    return {
      signaling: nodes[0]!,
      m1: nodes[1]!,
      m2: nodes[2]!,
      redis: client,
      broadcastId,
      hostCookie,
      placedOn: async () => (await client.get(`${prefix}:media-room:room:broadcast:${broadcastId}`)) ?? '',
      open: (url, cookie) => openTrackedPage(openedBy, contexts, url, cookie),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
