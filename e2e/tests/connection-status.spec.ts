import type { BrowserContext, Page } from '@playwright/test';
import { expect, newUser, recruiterOnDuty, signIn, test } from './fixtures.ts';

/** Keeps the page's WebSockets, so the test can cut the signaling connection like a network drop. */
async function keepSockets(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const all: WebSocket[] = ((window as unknown as { __sockets: WebSocket[] }).__sockets = []);
    window.WebSocket = class extends Native {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        all.push(this);
      }
    } as typeof WebSocket;
  });
}

/**
 * A page holding a live room says so while its connection is down ("Reconnecting…", a status
 * region outside <main>), and goes quiet again once the session has reconnected and rejoined.
 */
test('the page says it is reconnecting, then recovers', async ({ browser }) => {
  const visitor = await newUser(browser);
  await keepSockets(visitor.context);
  await visitor.page.goto('/');
  // Any broadcast page: its chat holds a live room for every visitor.
  await visitor.page.locator('a[href^="/broadcasts/"]').first().click();
  await visitor.page.waitForURL(/\/broadcasts\//);
  const chat = visitor.page.getByTestId('broadcast-chat');
  await expect(chat.getByRole('tabpanel', { name: 'Chat' }).getByText(/Sign in to chat and ask questions/)).toBeVisible();
  const status = visitor.page.getByTestId('connection-status');
  await expect(status).toHaveText('');
  await dropConnection(visitor.page);
  await expect(status).toHaveText('Reconnecting…');
  await visitor.context.setOffline(false);
  await expect(status).toHaveText('', { timeout: 30_000 });
  await expect(chat.getByRole('tabpanel', { name: 'Chat' }).getByText(/Sign in to chat and ask questions/)).toBeVisible();
});

/** Where a run may keep screenshots of the notices (E2E_SCREENSHOTS=dir), to look at them. */
async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png` });
}

/** Cuts the page's signaling connection like a network drop (the init script keeps its WebSockets). */
async function dropConnection(page: Page): Promise<void> {
  await page.context().setOffline(true);
  await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)!.close());
}

/**
 * Runs `load` (a page load) and waits until the new page has read the seeker's line places (an
 * answer naming the booth arrives on its socket), so a drop right after cannot beat that read.
 */
async function placesReadWhile(page: Page, boothUrl: string, load: () => Promise<unknown>): Promise<void> {
  const boothId = new URL(boothUrl).pathname.split('/').pop()!;
  const read = page.waitForEvent('websocket').then((ws) => ws.waitForEvent('framereceived', { predicate: (f) => String(f.payload).includes(boothId) }));
  await load();
  await read;
}

test('a seeker waiting in a line hears that the place is kept while reconnecting, and the line confirms it after', async ({ browser }) => {
  const { boothUrl, ...recruiter } = await recruiterOnDuty(browser, 'employer2@example.com', /Visit booth: .*Green/);
  const seeker = await newUser(browser);
  await keepSockets(seeker.context);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await seeker.page.getByRole('button', { name: 'Join the line' }).click();
  const place = seeker.page.getByTestId('queue-place');
  const position = place.getByText(/^You are (next|number \d+ in line)$/);
  await expect(position).toBeVisible();
  const before = await position.textContent();
  const status = seeker.page.getByTestId('connection-status');
  await expect(status).toHaveText('');

  await dropConnection(seeker.page);
  await expect(status).toHaveText('Reconnecting… your place in line is kept');
  await shot(seeker.page, 'queue-reconnecting-place-kept-desktop');
  await seeker.context.setOffline(false);
  await expect(status).toHaveText('', { timeout: 30_000 });
  // The line is read again on the new connection: the same place, and the panel says so.
  await expect(seeker.page.getByRole('status').filter({ hasText: 'Reconnected: your place in line is kept.' })).toBeVisible();
  await expect(position).toHaveText(before!);
  await shot(seeker.page, 'queue-place-kept-after-reconnect-desktop');
  await seeker.page.setViewportSize({ width: 390, height: 844 });
  await seeker.page.getByText('Reconnected: your place in line is kept.').scrollIntoViewIfNeeded();
  await shot(seeker.page, 'queue-place-kept-after-reconnect-mobile');

  // On any other page (no live room there) a waiting seeker still hears it: the layout knows the places.
  await placesReadWhile(seeker.page, boothUrl, () => seeker.page.goto('/'));
  await expect(status).toHaveText('');
  await dropConnection(seeker.page);
  await expect(status).toHaveText('Reconnecting… your place in line is kept');
  await shot(seeker.page, 'home-reconnecting-place-kept-mobile');
  await seeker.context.setOffline(false);
  await expect(status).toHaveText('', { timeout: 30_000 });

  // In Chinese too.
  await seeker.page.getByRole('button', { name: 'Menu' }).click();
  await placesReadWhile(seeker.page, boothUrl, () => seeker.page.getByLabel('Language').selectOption('zh-CN'));
  await expect(seeker.page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(status).toHaveText('');
  await dropConnection(seeker.page);
  await expect(status).toHaveText('正在重新连接…您的排队位置已保留');
  await shot(seeker.page, 'home-reconnecting-place-kept-mobile-zh');
  await seeker.context.setOffline(false);
  await expect(status).toHaveText('', { timeout: 30_000 });

  // Leave the line, so later tests of the run find it empty.
  await seeker.page.goto(boothUrl);
  await seeker.page.getByRole('button', { name: '退出排队' }).click();
  await expect(seeker.page.getByRole('button', { name: '排队' })).toBeVisible();
  await seeker.context.close();
  await recruiter.context.close();
});
