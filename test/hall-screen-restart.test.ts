import { createServer } from 'node:net';
import { type Browser, type BrowserContext, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServices } from '@fairground/core';
import { connect, createAuth, type Database } from '@fairground/db';
import { ensureWebBuild, WEB_HANDLER } from '../scripts/prepare.mjs';
import { fixtures } from './fixtures.ts';
import { startNode, stopNodes, testNodeEnv, type NodeProcess } from './node-process.ts';
import { connectTestClient, send, sessionCookie, type TestClient } from './helpers.ts';
import { launchFakeCameraChromium } from './browser-pages.ts';

/** A port free now, so the restarted node listens where the screen's page keeps reconnecting to. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Issue 19: a hall screen survives its server dying. The node runs as its own process, is
 * SIGKILLed under an open hall screen and started again on the same port; the screen's page (never
 * reloaded) reconnects by itself, watches again, and shows a seeker joining a line afterwards.
 */
describe('a hall screen across a server restart', () => {
  const nodes: NodeProcess[] = [];
  const contexts: BrowserContext[] = [];
  const clients: TestClient[] = [];
  let database: Database;
  let browser: Browser;
  let env: Record<string, string>;

  beforeAll(async () => {
    ensureWebBuild();
    const secret = 's'.repeat(32);
    env = { ...testNodeEnv(`${inject('redisPrefix')}hs`, secret), PORT: String(await freePort()), NODE_ENV: 'test', WEB_HANDLER };
    nodes.push(await startNode(env));
    database = await connect({ url: inject('databaseUrl'), migrate: false });
    browser = await launchFakeCameraChromium();
  }, 300_000);

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await stopNodes(nodes);
    await database?.close();
  });

  it('reconnects, watches again and shows a line change after the node was killed and restarted', async () => {
    const f = fixtures(database.db);
    const { fair, organizer, booths } = await f.liveFair({ employers: ['Hall'] });
    const booth = booths.Hall!;
    const services = createServices(database.db);
    const { key } = await services.displayKeys.issue(organizer, { kind: 'fair', fairId: fair.id }, { name: 'Restart hall', locale: 'en' });
    const url = nodes[0]!.url;

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    contexts.push(context);
    const page: Page = await context.newPage();
    await page.goto(`${url}/fairs/${fair.id}/screen?key=${key}`);
    await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const waiting = page.locator(`[data-testid=ticker-line][data-booth="${booth.id}"] [data-testid=ticker-waiting]`);
    const shown = () => waiting.textContent();
    await expect.poll(shown, { timeout: 30_000 }).toBe('0');

    const killedAt = Date.now();
    process.kill(nodes[0]!.child.pid!, 'SIGKILL');
    await expect.poll(() => page.getByText('Reconnecting…').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    nodes[0] = await startNode(env);

    // A recruiter on duty and a seeker joining, on the restarted node.
    const auth = createAuth(database.db, { secret: env.AUTH_SECRET!, baseURL: url, attemptsPerMinute: 1000 });
    const recruiter = await connectTestClient(url, { cookie: await sessionCookie(auth, booth.owner.email) });
    clients.push(recruiter);
    expect(await send(recruiter, 'booth:join', { boothId: booth.id })).toMatchObject({ ok: true });
    expect(await send(recruiter, 'queue:duty', { boothId: booth.id, onDuty: true })).toMatchObject({ ok: true });
    const seekerUser = await f.account('seeker', 'Restart seeker');
    const seeker = await connectTestClient(url, { cookie: await sessionCookie(auth, seekerUser.email) });
    clients.push(seeker);
    expect(await send(seeker, 'queue:join', { boothId: booth.id })).toMatchObject({ ok: true });

    await expect.poll(shown, { timeout: 60_000, interval: 200 }).toBe('1');
    await expect.poll(() => page.getByText('Reconnecting…').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), 'the page was never reloaded').toBe(true);
    console.log(`[hall screen] node SIGKILLed and restarted; the screen showed the new line ${Date.now() - killedAt} ms after the kill`);
  }, 300_000);
});
