import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, expectAccessible, newUser, recruiterOnDuty, signIn, test } from './fixtures.ts';

test('an employer registers a webhook endpoint, sees the secret once, and sees a signed delivery in the log', async ({ browser }) => {
  // A real receiver on this machine (the suite's server allows private addresses for it).
  const received: Array<{ id: string; signature: string; type: string }> = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({
        id: String(req.headers['webhook-id']),
        signature: String(req.headers['webhook-signature']),
        type: (JSON.parse(body) as { type: string }).type,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fairground`;
  try {
    const owner = await newUser(browser);
    await signIn(owner.page, 'employer3@example.com');
    await owner.page.goto('/employer');
    await owner.page.getByRole('link', { name: 'Integrations' }).click();
    await owner.page.waitForURL(/\/employer\/integrations\//);
    await expectAccessible(owner.page, 'integrations, empty');

    await owner.page.getByLabel('Receiver URL (https)').fill(url);
    await owner.page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = owner.page.getByTestId('webhook-secret');
    await expect(secret).toHaveText(/^whsec_/);
    await expect(owner.page.getByTestId('webhook-endpoint')).toContainText(url);

    // A token, shown once too.
    await owner.page.getByLabel('Token name').fill('ATS');
    await owner.page.getByRole('button', { name: 'Create token' }).click();
    await expect(owner.page.getByTestId('api-token')).toHaveText(/^fgt_/);

    // Something happens at the booth: a seeker joins the line.
    const recruiter = await recruiterOnDuty(browser, 'employer3@example.com', /Visit booth: .*Shunda/);
    const seeker = await newUser(browser);
    await signIn(seeker.page, 'seeker@example.com');
    await seeker.page.goto(recruiter.boothUrl);
    // A click before the page has hydrated does nothing: click until the place shows.
    await expect(async () => {
      await seeker.page.getByRole('button', { name: 'Join the line' }).click();
      await expect(seeker.page.getByTestId('queue-place')).toBeVisible({ timeout: 3000 });
    }).toPass({ timeout: 30_000 });

    await expect.poll(() => received.map((r) => r.type)).toContain('queue.joined');
    expect(received[0]!.signature).toMatch(/^v1,/);

    // The delivery log shows it, with the receiver's answer.
    await owner.page.reload();
    const log = owner.page.getByTestId('delivery-log');
    await expect(log).toContainText('Joined the line');
    await expect(log).toContainText('Delivered');
    await expect(log).toContainText('204');
    // The secret is not shown again.
    await expect(owner.page.getByTestId('webhook-secret')).toHaveCount(0);
    await expectAccessible(owner.page, 'integrations, with a delivery');

    // Replay it: the receiver gets the same event id again.
    await log
      .getByRole('button', { name: /Replay/ })
      .first()
      .click();
    await expect(owner.page.getByText('The delivery will be sent again.')).toBeVisible();
    await expect.poll(() => received.filter((r) => r.id === received[0]!.id).length).toBe(2);

    // Clean up for the other specs: the seeker leaves, the endpoint goes.
    await seeker.page.getByRole('button', { name: /Leave the line/ }).click();
    await owner.page.getByRole('button', { name: /^Remove/ }).click();
    await expect(owner.page.getByTestId('webhook-endpoint')).toHaveCount(0);
    await Promise.all([owner.context.close(), recruiter.context.close(), seeker.context.close()]);
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test('the organizer’s fair integrations page is in Chinese for a Chinese browser', async ({ browser }) => {
  const organizer = await newUser(browser, 'zh-CN');
  await signIn(organizer.page, 'organizer@example.com');
  await organizer.page.goto('/organizer');
  await organizer.page.locator('a[href^="/organizer/fairs/"]').first().click();
  await organizer.page.getByRole('link', { name: '集成' }).click();
  await expect(organizer.page.getByRole('heading', { name: 'Webhook 端点' })).toBeVisible();
  // Outcomes are the employer's: a fair's organizers cannot subscribe to them.
  await expect(organizer.page.getByText('记录面试结果')).toHaveCount(0);
  await expectAccessible(organizer.page, 'fair integrations (zh-CN)');
  await organizer.context.close();
});
