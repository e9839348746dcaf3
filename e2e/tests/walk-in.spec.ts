import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, expectAccessible, newUser, signIn, test } from './fixtures.ts';

// Outside test-results, which each run empties: the screenshots are for people to look at afterwards.
const SHOTS = process.env.WALK_IN_SHOTS ?? join(tmpdir(), 'fairground-walk-in-shots');
mkdirSync(SHOTS, { recursive: true });

/** A phone in the hall: a small touch screen, the camera app having opened the QR code's address. */
async function phone(browser: Browser, locale = 'en-US') {
  const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  return { context, page: await context.newPage() };
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

test('a walk-in joins by the QR address on a phone, is called to the desk, and the report splits on-site from online', async ({ browser }) => {
  // Green Fields' recruiter staffs the booth.
  const recruiter = await newUser(browser);
  await signIn(recruiter.page, 'employer2@example.com');
  await recruiter.page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await recruiter.page.getByRole('link', { name: /Visit booth: .*Green Fields/ }).click();
  await recruiter.page.waitForURL(/\/booths\/[0-9a-f-]{36}$/);
  const boothUrl = new URL(recruiter.page.url()).pathname;
  await recruiter.page.getByRole('button', { name: 'Go on duty' }).click();
  await expect(recruiter.page.getByText('On duty', { exact: true })).toBeVisible();

  // The poster the booth prints: the QR code holds the walk-in address.
  await recruiter.page.goto(`${boothUrl.replace('/booths/', '/employer/booths/')}/poster`);
  const qr = recruiter.page.getByRole('img', { name: /QR code: join the line at .*Green Fields/ });
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('data-value')).toMatch(new RegExp(`^https?://[^/]+${boothUrl}/walk-in$`));
  await expectAccessible(recruiter.page, 'QR poster');
  await shot(recruiter.page, 'poster-desktop');
  await recruiter.page.emulateMedia({ media: 'print' });
  await shot(recruiter.page, 'poster-print');
  await recruiter.page.emulateMedia({ media: 'screen' });
  await recruiter.page.goto(boothUrl);
  await recruiter.page.getByRole('button', { name: 'Go on duty' }).click();
  await expect(recruiter.page.getByText('On duty', { exact: true })).toBeVisible();

  // The walk-in scans it: a short sign-up, no password.
  const walkIn = await phone(browser);
  await walkIn.page.goto(`${boothUrl}/walk-in`);
  await expect(walkIn.page.getByRole('heading', { name: /Join the line at .*Green Fields/ })).toBeVisible();
  await expectAccessible(walkIn.page, 'walk-in sign-up');
  await shot(walkIn.page, 'walk-in-signup-phone');
  // A bad contact is refused with words, nothing made.
  await walkIn.page.getByLabel('Your name').fill('王芳');
  await walkIn.page.getByLabel('Phone number or email').fill('12');
  await walkIn.page.getByRole('button', { name: 'Sign up and join the line' }).click();
  await expect(walkIn.page.getByText('Enter a phone number (digits) or an email address.')).toBeVisible();
  await walkIn.page.getByLabel('Phone number or email').fill('138 0013 8000');
  await walkIn.page.getByRole('button', { name: 'Sign up and join the line' }).click();
  await walkIn.page.getByRole('button', { name: 'Join the line here' }).click();
  await expect(walkIn.page.getByTestId('walk-in-place')).toContainText(/You are (next|number \d+ in line)/);
  await expectAccessible(walkIn.page, 'walk-in waiting');
  await shot(walkIn.page, 'walk-in-waiting-phone');

  // The recruiter sees the on-site mark and calls them to the desk.
  const item = recruiter.page.getByRole('listitem').filter({ hasText: '王芳' });
  await expect(item.getByTestId('on-site-mark')).toHaveText('In the hall');
  await shot(recruiter.page, 'staff-line-desktop');
  // Call next until the walk-in is the one called (the demo data may have others waiting).
  await expect(async () => {
    if (!(await item.getByText('Called to the desk').isVisible())) await recruiter.page.getByRole('button', { name: 'Call next' }).click();
    await expect(item.getByText('Called to the desk')).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });

  // The phone says so (the page and the call alert).
  await expect(walkIn.page.getByText('Please come to the desk now')).toBeVisible();
  await expect(walkIn.page.getByRole('alertdialog', { name: 'Come to the desk' })).toBeVisible();
  await shot(walkIn.page, 'walk-in-called-phone');
  await walkIn.page.getByRole('alertdialog').getByRole('button', { name: "I'm on my way" }).click();
  await expect(walkIn.page.getByTestId('walk-in-place')).toContainText(/at the desk with/);

  // The recruiter's console opens the desk interview: no video room; they start, end and assess it.
  await recruiter.page.waitForURL(/\/interviews\/[0-9a-f-]{36}$/);
  await expect(recruiter.page.getByTestId('desk-interview')).toBeVisible();
  await recruiter.page.getByRole('button', { name: 'Seeker is at the desk — start' }).click();
  await recruiter.page.getByRole('button', { name: 'End the interview' }).click();
  await expect(recruiter.page.getByText('The interview has ended.')).toBeVisible();
  await recruiter.page.getByLabel('Outcome', { exact: true }).selectOption('next_round');
  await recruiter.page.getByRole('button', { name: 'Save assessment' }).click();
  await expect(recruiter.page.getByRole('status').filter({ hasText: /Saved/ })).toBeVisible();
  await expectAccessible(recruiter.page, 'desk interview');
  await shot(recruiter.page, 'desk-interview-desktop');
  await expect(walkIn.page.getByTestId('walk-in-place')).toContainText('Your talk at the desk has ended');
  await shot(walkIn.page, 'walk-in-done-phone');

  // The fair report: on-site and online rows, the walk-in's interview and outcome on the on-site one.
  const organizer = await newUser(browser);
  await signIn(organizer.page, 'organizer@example.com');
  await organizer.page.goto('/organizer');
  await organizer.page
    .getByRole('link', { name: /Spring Breeze Graduates Cloud Fair/ })
    .first()
    .click();
  await organizer.page.getByRole('link', { name: 'Report', exact: true }).click();
  await organizer.page.waitForURL(/\/report$/);
  const table = organizer.page.getByTestId('table-channels');
  await expect(table.getByRole('row', { name: /Green Fields.*On-site/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /Green Fields.*Online/ })).toBeVisible();
  await shot(organizer.page, 'fair-report-channels-desktop');
  const [file] = await Promise.all([organizer.page.waitForEvent('download'), organizer.page.getByTestId('csv-channels').click()]);
  const rows = (await readFile((await file.path())!, 'utf8'))
    .slice(1)
    .split('\r\n')
    .map((r) => r.split(','));
  expect(rows[0]!.slice(0, 6)).toEqual(['Booth', 'Channel', 'Visited', 'Joined the line', 'Interviewed', 'Given an outcome']);
  const onSite = rows.find((r) => /Green Fields/.test(r[0]!) && r[1] === 'On-site')!;
  expect(Number(onSite[2])).toBeGreaterThanOrEqual(1); // visited from the hall
  expect(Number(onSite[3])).toBeGreaterThanOrEqual(1); // joined the line
  expect(Number(onSite[4])).toBeGreaterThanOrEqual(1); // interviewed at the desk
  expect(Number(onSite[5])).toBeGreaterThanOrEqual(1); // given an outcome
  expect(rows.find((r) => /Green Fields/.test(r[0]!) && r[1] === 'Online')).toBeTruthy();

  await Promise.all([walkIn.context.close(), recruiter.context.close(), organizer.context.close()]);
});

test('the kiosk registers a walk-in, shows matching jobs, hands off to a phone once and signs itself out', async ({ browser }) => {
  const kiosk = await newUser(browser);
  await kiosk.page.setViewportSize({ width: 1280, height: 900 });
  await kiosk.page.goto('/');
  await kiosk.page
    .getByRole('link', { name: /Enter the fair|进入招聘会/ })
    .first()
    .click();
  await kiosk.page.waitForURL(/\/fairs\/[0-9a-f-]{36}$/);
  const kioskUrl = `${new URL(kiosk.page.url()).pathname}/kiosk`;
  await kiosk.page.goto(kioskUrl);
  await expectAccessible(kiosk.page, 'kiosk start');
  await shot(kiosk.page, 'kiosk-start-desktop');
  await kiosk.page.getByLabel('Your name').fill('Liu Yang');
  await kiosk.page.getByLabel('Phone number or email').fill('liu.yang@example.org');
  await kiosk.page.getByLabel('Skills (comma separated)').fill('TypeScript, CSS');
  await kiosk.page.getByLabel('Expected pay from (per month)').fill('9000');
  await kiosk.page.getByLabel('Expected pay up to (per month)').fill('15000');
  await kiosk.page.getByLabel('Where you want to work').fill('杭州 Hangzhou');
  await kiosk.page.getByRole('button', { name: 'Register and see my jobs' }).click();
  await expect(kiosk.page.getByRole('heading', { name: 'Jobs that match you' })).toBeVisible();
  await expect(kiosk.page.getByText(/\d+% match/).first()).toBeVisible();
  await expectAccessible(kiosk.page, 'kiosk matches');
  await shot(kiosk.page, 'kiosk-matches-desktop');

  await kiosk.page.getByRole('button', { name: 'Show my phone code' }).click();
  const code = kiosk.page.getByRole('img', { name: 'QR code to continue on your phone' });
  await expect(code).toBeVisible();
  await expectAccessible(kiosk.page, 'kiosk hand-off');
  await shot(kiosk.page, 'kiosk-handoff-desktop');
  const handOffUrl = await code.getAttribute('data-value');
  expect(handOffUrl).toMatch(/\/hand-off\/[A-Za-z0-9_-]{43}$/);
  // The kiosk has already signed out: a reload shows the start again.
  await kiosk.page.reload();
  await expect(kiosk.page.getByRole('heading', { name: 'New here? Register' })).toBeVisible();

  // The phone continues as Liu Yang; the same code a second time does nothing.
  const first = await phone(browser);
  await first.page.goto(handOffUrl!);
  await expectAccessible(first.page, 'hand-off');
  await first.page.getByRole('button', { name: 'Continue' }).click();
  await expect(first.page.getByText('Hello, Liu Yang')).toBeVisible();
  await expect(first.page.getByRole('link', { name: /Booth: / }).first()).toBeVisible();
  await shot(first.page, 'kiosk-on-phone');
  const second = await phone(browser);
  await second.page.goto(handOffUrl!);
  await second.page.getByRole('button', { name: 'Continue' }).click();
  await expect(second.page.getByText('This code does not work any more. Ask the kiosk for a new one.')).toBeVisible();
  await Promise.all([kiosk.context.close(), first.context.close(), second.context.close()]);
});

test('the new pages pass axe in Chinese', async ({ browser }) => {
  const recruiter = await newUser(browser, 'zh-CN');
  await signIn(recruiter.page, 'employer2@example.com');
  await recruiter.page.goto('/employer');
  await recruiter.page
    .getByRole('link', { name: /二维码海报/ })
    .first()
    .click();
  await expect(recruiter.page.getByText('扫码排队').first()).toBeVisible();
  await expectAccessible(recruiter.page, 'poster (zh-CN)');
  const boothId = /\/employer\/booths\/([0-9a-f-]{36})\/poster/.exec(recruiter.page.url())![1];

  const walkIn = await phone(browser, 'zh-CN');
  await walkIn.page.goto(`/booths/${boothId}/walk-in`);
  await expect(walkIn.page.getByRole('heading', { name: /排队/ })).toBeVisible();
  await expectAccessible(walkIn.page, 'walk-in (zh-CN)');
  await shot(walkIn.page, 'walk-in-signup-phone-zh');

  const kiosk = await newUser(browser, 'zh-CN');
  await kiosk.page.goto('/');
  await kiosk.page
    .getByRole('link', { name: /Enter the fair|进入招聘会/ })
    .first()
    .click();
  await kiosk.page.waitForURL(/\/fairs\/[0-9a-f-]{36}$/);
  await kiosk.page.goto(`${new URL(kiosk.page.url()).pathname}/kiosk`);
  await expect(kiosk.page.getByRole('heading', { name: '第一次来？请登记' })).toBeVisible();
  await expectAccessible(kiosk.page, 'kiosk (zh-CN)');
  await shot(kiosk.page, 'kiosk-start-desktop-zh');
  await Promise.all([recruiter.context.close(), walkIn.context.close(), kiosk.context.close()]);
});
