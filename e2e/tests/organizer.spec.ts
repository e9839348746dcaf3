import { readFileSync } from 'node:fs';
import { expect, expectAccessible, shanghaiWallTime, signIn, test } from './fixtures.ts';

/**
 * The organizer's side of a fair, in English and in Chinese: a themed fair and a guidance
 * broadcast are created and published; the broadcast's calendar file is right; a visitor finds the
 * fair on the home page and is told, in the page, when the broadcast starts. Texts come from the
 * message files, so the test reads the page as its users do.
 */
type Key =
  | keyof typeof import('../../web/messages/common/en.json')
  | keyof typeof import('../../web/messages/organizer/en.json')
  | keyof typeof import('../../web/messages/seeker/en.json');
type Messages = Record<Key, string>;
const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Partial<Messages>;
const MESSAGES: Record<'en' | 'zh-CN', Messages> = {
  en: {
    ...read('../../web/messages/common/en.json'),
    ...read('../../web/messages/seeker/en.json'),
    ...read('../../web/messages/organizer/en.json'),
  } as Messages,
  'zh-CN': {
    ...read('../../web/messages/common/zh-CN.json'),
    ...read('../../web/messages/seeker/zh-CN.json'),
    ...read('../../web/messages/organizer/zh-CN.json'),
  } as Messages,
};

/** A message with its {placeholders} filled in. */
const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);

/** iCalendar content lines, folding undone (RFC 5545 §3.1). */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '').split('\r\n');
const icsStamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');

// A 1×1 PNG: a real image, so the upload is recognised by its bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

for (const locale of ['en', 'zh-CN'] as const) {
  test(`an organizer schedules a themed fair and a broadcast; a visitor sees both and the start notice (${locale})`, async ({ browser }) => {
    test.setTimeout(180_000);
    const L = MESSAGES[locale];
    const run = `${locale}-${Date.now().toString(36)}`;
    const fairTitle = locale === 'en' ? `Digital economy fair ${run}` : `数字经济专场云聘会 ${run}`;
    const customTheme = locale === 'en' ? 'Digital economy' : '数字经济';
    // Commas, a semicolon and a long Chinese part: the calendar file must escape and fold them.
    const broadcastTitle = `政策答疑：社保、创业补贴怎么申请; Policy Q&A, subsidies ${run}`;

    const organizerContext = await browser.newContext({ locale, timezoneId: 'America/New_York' });
    const organizer = await organizerContext.newPage();
    await signIn(organizer, 'organizer@example.com');
    await expectAccessible(organizer, 'home (organizer)');

    // The console, from the header.
    await organizer.getByRole('link', { name: L.nav_organizer }).click();
    await expect(organizer.getByRole('heading', { level: 1, name: L.org_console_title })).toBeVisible();
    await expectAccessible(organizer, 'organizer console');

    // A new fair: tomorrow 09:00–17:00, Shanghai time (the browser itself is in New York).
    const tomorrow = shanghaiWallTime(Date.now() + 24 * 3600_000).slice(0, 10);
    const form = organizer.locator('#new-fair');
    await form.getByLabel(L.org_fair_title, { exact: true }).fill(fairTitle);
    await form.getByLabel(L.org_fair_theme, { exact: true }).selectOption('custom');
    await form.getByLabel(L.org_fair_custom_theme, { exact: true }).fill(customTheme);
    await form.getByLabel(L.org_fair_description, { exact: true }).fill('线上招聘，视频面试。\nOnline booths and video interviews.');
    await expect(form.getByLabel(L.org_time_zone, { exact: true })).toHaveValue('Asia/Shanghai');
    await form.getByLabel(L.org_starts, { exact: true }).fill(`${tomorrow}T17:00`);
    await form.getByLabel(L.org_ends, { exact: true }).fill(`${tomorrow}T09:00`);
    await form.getByLabel(L.org_cover, { exact: true }).setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: L.org_create_fair }).click();

    // Refused (the end is before the start): the error is under the field; what was typed stays.
    const endsAt = form.getByLabel(L.org_ends, { exact: true });
    await expect(endsAt).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByText(L.error_end_before_start)).toBeVisible();
    await expect(form.getByLabel(L.org_fair_title, { exact: true })).toHaveValue(fairTitle);
    await expect(form.getByLabel(L.org_fair_custom_theme, { exact: true })).toHaveValue(customTheme);
    await expectAccessible(organizer, 'new fair form with an error');

    await form.getByLabel(L.org_starts, { exact: true }).fill(`${tomorrow}T09:00`);
    await endsAt.fill(`${tomorrow}T17:00`);
    await form.getByLabel(L.org_cover, { exact: true }).setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: L.org_create_fair }).click();
    await organizer.waitForURL(/\/organizer\/fairs\/[0-9a-f-]{36}\?created/);
    const fairUrl = organizer.url().replace(/\?.*$/, '');
    await expect(organizer.getByRole('heading', { level: 1, name: fairTitle })).toBeVisible();
    await expect(organizer.getByRole('status').filter({ hasText: L.org_fair_created })).toBeVisible();
    // The saved times read back as typed: the server converted Shanghai wall time both ways.
    await expect(organizer.getByLabel(L.org_starts, { exact: true })).toHaveValue(`${tomorrow}T09:00`);
    await expect(organizer.getByLabel(L.org_ends, { exact: true })).toHaveValue(`${tomorrow}T17:00`);
    await expect(organizer.getByRole('img', { name: L.org_cover_current })).toBeVisible();
    await expectAccessible(organizer, 'fair page (draft)');

    // Publish it, and invite an employer.
    await organizer.getByRole('button', { name: L.org_move_publish, exact: true }).click();
    await expect(organizer.getByText(fill(L.org_status_changed, { status: L.fair_status_published }))).toBeVisible();
    await expect(organizer.getByRole('button', { name: L.org_move_open, exact: true })).toBeVisible();
    const employerSelect = organizer.getByLabel(L.org_invite_employer, { exact: true });
    const xinghe = await employerSelect.locator('option', { hasText: 'Xinghe' }).getAttribute('value');
    await employerSelect.selectOption(xinghe!);
    await organizer.getByRole('button', { name: L.org_invite_send }).click();
    await expect(organizer.getByRole('status').filter({ hasText: L.org_invite_sent })).toBeVisible();
    await expect(organizer.getByRole('heading', { name: L.org_invited_heading })).toBeVisible();
    await expectAccessible(organizer, 'fair page (published)');

    // An employer applies from its console; the organizer approves, and the booth opens.
    const employerContext = await browser.newContext({ locale });
    const employer = await employerContext.newPage();
    await signIn(employer, 'employer2@example.com');
    await employer.goto('/employer');
    const fairChoice = employer.getByLabel(L.booth_apply_fair, { exact: true });
    await fairChoice.selectOption((await fairChoice.locator('option', { hasText: fairTitle }).getAttribute('value'))!);
    await employer.getByRole('button', { name: L.booth_apply_button, exact: true }).click();
    await expect(employer.getByRole('status').filter({ hasText: L.booth_applied })).toBeVisible();
    await employerContext.close();
    await organizer.reload();
    const application = organizer.getByRole('listitem').filter({ hasText: 'Green Fields' });
    await expect(organizer.getByRole('heading', { name: L.org_pending_heading })).toBeVisible();
    await application.getByRole('button', { name: L.org_approve }).click();
    await expect(organizer.getByRole('status').filter({ hasText: L.org_application_approved })).toBeVisible();
    await expect(organizer.getByRole('link', { name: /Green Fields/ })).toHaveAttribute('href', /\/booths\/[0-9a-f-]{36}$/);
    await expect(organizer.getByText(L.org_pending_none)).toBeVisible();

    // A visitor finds the fair on the home page, with its cover and its Shanghai times.
    const visitorContext = await browser.newContext({ locale, timezoneId: 'Europe/Berlin' });
    const visitor = await visitorContext.newPage();
    await visitor.goto('/');
    const upcoming = visitor.getByRole('region', { name: L.home_upcoming_fairs });
    const card = upcoming.getByRole('listitem').filter({ has: visitor.getByRole('heading', { name: fairTitle }) });
    await expect(card).toBeVisible();
    await expect(card.getByText(customTheme, { exact: true })).toBeVisible();
    await expect(card).toContainText('09:00');
    await expect(card).toContainText('17:00');
    await expect.poll(() => card.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expect(card.getByRole('link', { name: L.enter_fair })).toHaveAttribute('href', /\/fairs\/[0-9a-f-]{36}$/);
    await expectAccessible(visitor, 'home (visitor)');

    // A broadcast that starts in a few seconds, part of the fair, hosted by the organizer.
    const startMs = Date.now() + 25_000;
    const endMs = startMs + 3600_000;
    await organizer.getByRole('link', { name: L.org_broadcasts_tab }).click();
    await expect(organizer.getByRole('heading', { level: 1, name: L.org_broadcasts_title })).toBeVisible();
    await expectAccessible(organizer, 'broadcasts console');
    const bform = organizer.locator('#new-broadcast');
    await bform.getByLabel(L.org_broadcast_title, { exact: true }).fill(broadcastTitle);
    await bform.getByLabel(L.org_broadcast_topic, { exact: true }).selectOption('policy_qa');
    const fairSelect = bform.getByLabel(L.org_broadcast_fair, { exact: true });
    await fairSelect.selectOption((await fairSelect.locator('option', { hasText: fairTitle }).getAttribute('value'))!);
    await bform.getByLabel(L.org_broadcast_description, { exact: true }).fill('社保怎么交？\nWhat start-up subsidies are there?');
    await bform.getByLabel(L.org_starts, { exact: true }).fill(shanghaiWallTime(startMs, true));
    await bform.getByLabel(L.org_ends, { exact: true }).fill(shanghaiWallTime(endMs, true));
    await bform.getByLabel(L.org_broadcast_hosts, { exact: true }).fill('organizer@example.com');
    await bform.getByRole('button', { name: L.org_create_broadcast }).click();
    await expect(organizer.getByRole('status').filter({ hasText: fill(L.org_broadcast_created, { title: broadcastTitle }) })).toBeVisible();
    const row = organizer.getByRole('listitem').filter({ has: organizer.getByRole('link', { name: broadcastTitle }) });
    await expect(row.getByText(L.org_broadcast_draft, { exact: true })).toBeVisible();
    await row.getByRole('button', { name: L.org_publish }).click();
    await expect(organizer.getByRole('status').filter({ hasText: L.org_broadcast_published })).toBeVisible();
    await expect(row.getByText(L.org_broadcast_published_badge, { exact: true })).toBeVisible();

    // Its public page, and its calendar file.
    await row.getByRole('link', { name: broadcastTitle, exact: true }).click();
    await organizer.waitForURL(/\/broadcasts\/[0-9a-f-]{36}$/);
    const broadcastUrl = organizer.url();
    await expect(organizer.getByRole('heading', { level: 1, name: broadcastTitle })).toBeVisible();
    await expect(organizer.getByRole('link', { name: fairTitle })).toBeVisible();
    await expect(organizer.getByText('张伟 Zhang Wei', { exact: true })).toBeVisible();
    await expectAccessible(organizer, 'broadcast page');
    const calendarLink = organizer.getByRole('link', { name: L.bc_add_to_calendar });
    await expect(calendarLink).toHaveAttribute('href', `${new URL(broadcastUrl).pathname}/calendar.ics`);
    const [download] = await Promise.all([organizer.waitForEvent('download'), calendarLink.click()]);
    expect(download.suggestedFilename()).toMatch(/\.ics$/);
    const ics = readFileSync((await download.path())!, 'utf8');
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfold(ics);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('BEGIN:VEVENT');
    expect(lines).toContain(`DTSTART:${icsStamp(startMs)}`);
    expect(lines).toContain(`DTEND:${icsStamp(endMs)}`);
    expect(lines).toContain(`SUMMARY:${broadcastTitle.replace(/([,;])/g, '\\$1')}`);
    expect(lines).toContain('DESCRIPTION:社保怎么交？\\nWhat start-up subsidies are there?');
    expect(lines).toContain(`URL:${broadcastUrl}`);
    for (const physical of ics.split('\r\n')) expect(Buffer.byteLength(physical)).toBeLessThanOrEqual(75);
    const response = await organizer.request.get(`${broadcastUrl}/calendar.ics`);
    expect(response.headers()['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.headers()['content-disposition']).toMatch(/^attachment; filename="[^"]+\.ics"; filename\*=UTF-8''/);

    // The published broadcast is listed for visitors (a second tab: the first stays connected)...
    const listing = await visitorContext.newPage();
    await listing.goto('/');
    await expect(listing.getByRole('link', { name: broadcastTitle, exact: true })).toBeVisible();
    await listing.close();
    // ...and is told in the page when it starts, with a link to it.
    const notice = visitor.getByTestId('broadcast-notice').filter({ hasText: broadcastTitle });
    await expect(notice).toBeVisible({ timeout: 40_000 });
    await expect(visitor.getByRole('status').filter({ hasText: L.notice_broadcast_live })).toBeVisible();
    expect(Date.now()).toBeGreaterThanOrEqual(startMs - 1000);
    await expectAccessible(visitor, 'home with the notice');
    // The organizer got it too, and may dismiss it.
    const organizerNotice = organizer.getByTestId('broadcast-notice').filter({ hasText: broadcastTitle });
    await expect(organizerNotice).toBeVisible();
    await organizerNotice.getByRole('button', { name: L.notice_dismiss }).click();
    await expect(organizerNotice).toBeHidden();

    await notice.getByRole('link', { name: broadcastTitle }).click();
    await visitor.waitForURL(broadcastUrl);
    await expect(visitor.getByText(L.bc_live_now, { exact: true })).toBeVisible();
    await expect(notice).toBeHidden();
    await visitor.goto('/');
    await expect(visitor.getByRole('region', { name: L.home_live_now }).getByRole('link', { name: broadcastTitle, exact: true })).toBeVisible();
    await expectAccessible(visitor, 'home with a live broadcast');

    // Two tabs of the console: one ends the fair (after confirming); the other, out of date, tries
    // to open it and is told why it cannot, and then shows the fair as it is.
    const stale = await organizerContext.newPage();
    await stale.goto(fairUrl);
    await organizer.goto(fairUrl);
    organizer.once('dialog', (dialog) => void dialog.accept());
    await organizer.getByRole('button', { name: L.org_move_end, exact: true }).click();
    await expect(organizer.getByText(fill(L.org_status_changed, { status: L.fair_status_ended }))).toBeVisible();
    await stale.getByRole('button', { name: L.org_move_open, exact: true }).click();
    await expect(stale.getByRole('alert')).toHaveText(fill(L.org_status_refused, { from: L.fair_status_ended, to: L.fair_status_live }));
    await expect(stale.getByText(L.org_status_help_ended)).toBeVisible();
    await expect(stale.getByRole('button', { name: L.org_move_open, exact: true })).toHaveCount(0);
    await expectAccessible(stale, 'fair page after a refused move');

    await visitorContext.close();
    await organizerContext.close();
  });
}

test('the console is for organizers: visitors sign in first, others are refused; unknown broadcasts are 404', async ({ browser }) => {
  const L = MESSAGES.en;
  const context = await browser.newContext({ locale: 'en' });
  const page = await context.newPage();

  await page.goto('/organizer/broadcasts');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Forganizer%2Fbroadcasts$/);

  await signIn(page, 'seeker@example.com');
  await expect(page.getByRole('link', { name: L.nav_organizer })).toHaveCount(0);
  const refused = await page.goto('/organizer');
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1, name: L.error_forbidden_title })).toBeVisible();
  await expectAccessible(page, '403 page');

  for (const path of [
    '/broadcasts/not-a-uuid',
    '/broadcasts/00000000-0000-4000-8000-000000000000',
    '/broadcasts/00000000-0000-4000-8000-000000000000/calendar.ics',
  ]) {
    const response = await page.goto(path).catch(() => null);
    expect(response?.status() ?? (await page.request.get(path)).status(), path).toBe(404);
  }
  await page.goto('/broadcasts/not-a-uuid');
  await expect(page.getByRole('heading', { level: 1, name: L.not_found_title })).toBeVisible();
  await expectAccessible(page, '404 page');
  await context.close();
});
