import { expect, newUser, test } from './fixtures.ts';

/**
 * A page holding a live room says so while its connection is down ("Reconnecting…", a status
 * region outside <main>), and goes quiet again once the session has reconnected and rejoined.
 */
test('the page says it is reconnecting, then recovers', async ({ browser }) => {
  const visitor = await newUser(browser);
  // Keeps the page's WebSockets, so the test can cut the signaling connection like a network drop.
  await visitor.context.addInitScript(() => {
    const Native = window.WebSocket;
    const all: WebSocket[] = ((window as unknown as { __sockets: WebSocket[] }).__sockets = []);
    window.WebSocket = class extends Native {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        all.push(this);
      }
    } as typeof WebSocket;
  });
  await visitor.page.goto('/');
  // Any broadcast page: its chat holds a live room for every visitor.
  await visitor.page.locator('a[href^="/broadcasts/"]').first().click();
  await visitor.page.waitForURL(/\/broadcasts\//);
  const chat = visitor.page.getByTestId('broadcast-chat');
  await expect(chat.getByRole('tabpanel', { name: 'Chat' }).getByText(/Sign in to chat and ask questions/)).toBeVisible();
  const status = visitor.page.getByTestId('connection-status');
  await expect(status).toHaveText('');
  await visitor.context.setOffline(true);
  await visitor.page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)!.close());
  await expect(status).toHaveText('Reconnecting…');
  await visitor.context.setOffline(false);
  await expect(status).toHaveText('', { timeout: 30_000 });
  await expect(chat.getByRole('tabpanel', { name: 'Chat' }).getByText(/Sign in to chat and ask questions/)).toBeVisible();
});
