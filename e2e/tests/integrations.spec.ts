import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Page } from '@playwright/test';
import type { AddressInfo } from 'node:net';
import { DEMO_PASSWORD, expect, expectAccessible, newUser, recruiterOnDuty, signIn, test } from './fixtures.ts';

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

/** Where a run may keep screenshots of the settings page (E2E_SCREENSHOTS=dir), to look at them. */
async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

test('an employer edits an endpoint’s events, pauses and resumes it, and picks a filtered candidate export', async ({ browser }) => {
  const owner = await newUser(browser);
  await signIn(owner.page, 'employer3@example.com');
  await owner.page.goto('/employer');
  await owner.page.getByRole('link', { name: 'Integrations' }).click();
  await owner.page.waitForURL(/\/employer\/integrations\//);
  const settingsUrl = owner.page.url();
  // A name that does not resolve is refused by the server, beside the add form's address field.
  await owner.page.getByLabel('Receiver URL (https)').fill('https://no-such-host.invalid/ats');
  await owner.page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(owner.page.getByText('This host name does not resolve.')).toBeVisible();
  await expect(owner.page.getByLabel('Receiver URL (https)')).toHaveAttribute('aria-invalid', 'true');
  await expect(owner.page.getByTestId('webhook-endpoint')).toHaveCount(0);
  await owner.page.getByLabel('Receiver URL (https)').fill('http://127.0.0.1:9/ats');
  await owner.page.getByRole('button', { name: 'Add endpoint' }).click();
  const endpoint = owner.page.getByTestId('webhook-endpoint');
  await expect(endpoint).toContainText('http://127.0.0.1:9/ats');
  await expect(endpoint).toContainText('Joined the line');

  // Edit: another address, a description, other events.
  const details = endpoint.locator('details');
  const openEdit = async () => {
    if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  };
  await openEdit();
  const edit = endpoint.locator('form[action="?/updateEndpoint"]');
  await edit.getByLabel('Receiver URL (https)').fill('http://127.0.0.1:9/ats-v2');
  await edit.getByLabel('Description (optional)').fill('Moka');
  await edit.getByLabel('Joined the line').uncheck();
  await edit.getByLabel('Invitation answered').check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(owner.page.getByText('Endpoint saved.')).toBeVisible();
  await expect(endpoint).toContainText('http://127.0.0.1:9/ats-v2');
  await expect(endpoint).toContainText('Moka');
  await expect(endpoint).toContainText('Invitation answered');
  await expect(endpoint.locator('p.small').first()).not.toContainText('Joined the line');

  // No events at all is refused by the server (the form says so, and stays open with the choices made).
  await openEdit();
  for (const box of await edit.getByRole('checkbox').all()) await box.uncheck();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByText('Choose at least one event.')).toBeVisible();
  await expect(endpoint.locator('details')).toHaveAttribute('open', '');
  await expectAccessible(owner.page, 'integrations, an edit refused');
  // Reload: nothing was changed by the refused edit.
  await owner.page.goto(settingsUrl);
  await expect(endpoint).toContainText('Invitation answered');

  // Pause, then resume.
  await endpoint.getByRole('button', { name: 'Pause' }).click();
  await expect(owner.page.getByText('Endpoint paused. Events are kept and go out on resume.')).toBeVisible();
  await endpoint.getByRole('button', { name: 'Resume' }).click();
  await expect(owner.page.getByText('Endpoint resumed.')).toBeVisible();

  // The export picker: an end before the start comes back with the error next to the field.
  const picker = owner.page.getByTestId('export-form');
  await picker.getByLabel('Fair').selectOption({ index: 1 });
  await picker.getByLabel('Engaged from').fill('2026-03-05');
  await picker.getByLabel('Engaged until').fill('2026-03-04');
  await picker.getByRole('button', { name: 'Download' }).click();
  await expect(picker.getByText('The end date must not be before the start date.')).toBeVisible();
  await expect(picker.getByLabel('Engaged until')).toHaveAttribute('aria-invalid', 'true');
  await expect(picker.getByLabel('Engaged from')).toHaveValue('2026-03-05');
  await expectAccessible(owner.page, 'integrations, an export refused');
  await shot(owner.page, 'integrations-desktop-errors');

  // Corrected (any day, JSON Resume): editing hides the refusal's errors, and the browser downloads
  // a file of the chosen fair's candidates; the page stays.
  await picker.getByLabel('Engaged until').fill('');
  await picker.getByLabel('Engaged from').fill('');
  await picker.getByLabel(/JSON Resume/).check();
  await expect(picker.getByText('Please correct the highlighted fields.')).toHaveCount(0);
  await expect(picker.getByLabel('Engaged until')).not.toHaveAttribute('aria-invalid', 'true');
  const [download] = await Promise.all([owner.page.waitForEvent('download', { timeout: 30_000 }), picker.getByRole('button', { name: 'Download' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^candidates-\d{4}-\d{2}-\d{2}\.json$/);
  expect(Array.isArray(JSON.parse(await readFile(await download.path(), 'utf8')))).toBe(true);
  await shot(owner.page, 'integrations-desktop');

  // On a phone, in Chinese: nothing wider than the screen, and the picker is there.
  const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('邮箱').fill('employer3@example.com');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  // On a phone the signed-in header folds away; its console link exists once the sign-in's load is done.
  await expect(page.locator('header a[href="/employer"]')).toBeAttached();
  await page.goto(settingsUrl);
  await expect(page.getByRole('heading', { name: '导出候选人' })).toBeVisible();
  await page.getByTestId('webhook-endpoint').locator('summary').click();
  await expect(page.getByRole('button', { name: '保存修改' })).toBeVisible();
  // Nothing wider than the screen (named, if something is).
  const wider = await page.evaluate(() =>
    [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName + '.' + e.className),
  );
  expect(wider, 'elements past the right edge at 375 px').toEqual([]);
  await expectAccessible(page, 'integrations on a phone (zh-CN)');
  await shot(page, 'integrations-phone-zh');

  // Clean up for the other specs.
  await endpoint.getByRole('button', { name: /^Remove/ }).click();
  await expect(endpoint).toHaveCount(0);
  await Promise.all([owner.context.close(), phone.close()]);
});
