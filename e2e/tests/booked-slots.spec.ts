import {
  capturedMail,
  confirmEmail,
  expect,
  expectAccessible,
  expectMediaFlowing,
  newUser,
  recruiterOnDuty,
  shanghaiWallTime,
  signIn,
  test,
  trackPeerConnections,
} from './fixtures.ts';

const shots = (name: string) => `test-results/booked-slots/${name}.png`;

/** The captured invite mail to an address about a booking, with its .ics attachment. */
interface InviteMail {
  to: string;
  subject: string;
  text: string;
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
}
const invitesTo = (to: string) => (capturedMail() as InviteMail[]).filter((m) => m.to === to && m.attachments?.some((a) => a.filename.endsWith('.ics')));

test('a recruiter publishes slots, a seeker books one, gets the invite, and at the time is called ahead of the walk-up line into an interview', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  // The recruiter (Shunda Logistics' owner) opens the booth and goes on duty.
  const { boothUrl, ...recruiter } = await recruiterOnDuty(browser, 'employer3@example.com', /Visit booth: .*Shunda/);

  // A walk-up seeker (a new account) joins the line first.
  const walkUp = await newUser(browser);
  const walkUpEmail = `walkup-${Date.now().toString(36)}@example.com`;
  await walkUp.page.goto('/sign-up');
  await walkUp.page.getByLabel('Your name').fill('Walk Up');
  await walkUp.page.getByLabel('Email', { exact: true }).fill(walkUpEmail);
  await walkUp.page.getByLabel('Password', { exact: true }).fill('walk-up password');
  await walkUp.page.getByRole('button', { name: 'Create account', exact: true }).click();
  await confirmEmail(walkUp.page, walkUpEmail);
  await walkUp.page.goto(boothUrl);
  await walkUp.page.getByRole('button', { name: 'Join the line' }).click();
  await expect(walkUp.page.getByTestId('queue-place')).toContainText('You are next');

  // The booked seeker has the booth open in their own time zone (the browser's: Berlin here).
  const seekerContext = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Berlin', permissions: ['camera', 'microphone'] });
  await trackPeerConnections(seekerContext);
  const seeker = { context: seekerContext, page: await seekerContext.newPage() };
  await signIn(seeker.page, 'seeker@example.com');

  // The recruiter publishes two slots, the first starting at the next whole minute at least 45 s away.
  const start = Math.ceil((Date.now() + 45_000) / 60_000) * 60_000;
  const publisher = recruiter.page.getByTestId('slot-publisher');
  await publisher.getByLabel(/First slot starts/).fill(shanghaiWallTime(start));
  await publisher.getByLabel('Number of slots').fill('2');
  await publisher.getByLabel('Length (minutes)').fill('20');
  await publisher.getByLabel('Break after each (minutes)').fill('5');
  await publisher.getByRole('button', { name: 'Publish slots' }).click();
  await expect(publisher.getByText('2 slots published.')).toBeVisible();
  await expect(recruiter.page.getByTestId('staff-slots').getByRole('listitem')).toHaveCount(2);

  // The seeker sees the free slots in Berlin time and books the first.
  await seeker.page.goto(boothUrl);
  const booking = seeker.page.getByTestId('slot-booking');
  await expect(booking.getByTestId('slots-zone')).toContainText('Central European');
  const berlin = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Berlin' }).format(new Date(start));
  await expect(booking.getByTestId('free-slots').getByRole('listitem').first()).toContainText(berlin);
  await expectAccessible(seeker.page, 'booth page with free slots');
  await booking
    .getByRole('button', { name: /^Book / })
    .first()
    .click();
  await expect(booking.getByText('Booked. Your invite is on its way by email.')).toBeVisible();
  await expect(booking.getByTestId('my-bookings').getByRole('listitem')).toHaveCount(1);
  await expect(booking.getByTestId('free-slots').getByRole('listitem')).toHaveCount(1);
  await seeker.page.screenshot({ path: shots('seeker-booked'), fullPage: true });
  await expectAccessible(seeker.page, 'booth page with a booking');

  // Both sides get the invite by mail with the calendar file, and an in-app notice.
  await expect.poll(() => invitesTo('seeker@example.com').length, { timeout: 15_000 }).toBeGreaterThan(0);
  const invite = invitesTo('seeker@example.com').at(-1)!;
  // In the recipient's language (the demo accounts have none saved, so Chinese, the site's default).
  expect(invite.subject).toMatch(/Interview booked|面试预约/);
  const ics = invite.attachments!.find((a) => a.filename.endsWith('.ics'))!;
  expect(ics.contentType).toContain('text/calendar');
  expect(ics.content).toContain('BEGIN:VCALENDAR');
  expect(ics.content).toContain('METHOD:REQUEST');
  await expect.poll(() => invitesTo('employer3@example.com').length, { timeout: 15_000 }).toBeGreaterThan(0);
  await expect(recruiter.page.getByTestId('slot-notice')).toContainText('A seeker booked your slot');
  // The download link serves the same calendar entry to the seeker.
  const href = await booking.getByRole('link', { name: 'Add to calendar (.ics)' }).getAttribute('href');
  const download = await seeker.page.request.get(href!);
  expect(download.headers()['content-type']).toContain('text/calendar');
  const downloaded = await download.text();
  expect(downloaded).toContain(ics.content.match(/UID:[^\r\n]+/)![0]);
  // Another account gets nothing.
  expect((await walkUp.page.request.get(href!)).status()).toBe(404);

  // The recruiter's view: the booked slot with the seeker's name.
  await recruiter.page.reload();
  await recruiter.page.getByRole('button', { name: 'Go on duty' }).click();
  await expect(recruiter.page.getByText('On duty', { exact: true })).toBeVisible();
  await expect(recruiter.page.getByTestId('staff-slots')).toContainText('Booked by 李明 Li Ming');
  await recruiter.page.screenshot({ path: shots('recruiter-slots'), fullPage: true });
  await expectAccessible(recruiter.page, 'booth page, staff with slots');

  // At the time: the booked seeker goes ahead of the walk-up line, and both lines show it.
  await expect(seeker.page.getByTestId('queue-booked')).toBeVisible({ timeout: 150_000 });
  await expect(seeker.page.getByTestId('queue-place')).toContainText('You are next');
  await expect(walkUp.page.getByTestId('queue-place')).toContainText('2');
  await expect(recruiter.page.getByText('1. 李明 Li Ming')).toBeVisible();
  await expect(recruiter.page.getByTestId('line-booked')).toBeVisible();
  await recruiter.page.screenshot({ path: shots('recruiter-line-booked'), fullPage: true });

  // "Call next" calls the booked seeker, not the walk-up who joined first.
  await recruiter.page.getByRole('button', { name: 'Call next' }).click();
  const dialog = seeker.page.getByRole('alertdialog', { name: /A recruiter is calling you/ });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Accept and join' }).click();
  await seeker.page.waitForURL(/\/interviews\//);
  await recruiter.page.waitForURL(/\/interviews\//);
  await expectMediaFlowing(seeker.page);
  await expectMediaFlowing(recruiter.page);
  await expect(walkUp.page.getByTestId('queue-place')).toContainText('You are next');

  // The booth's report counts the slots: two published, one booked and kept.
  await recruiter.page.getByRole('button', { name: 'End interview' }).click();
  const boothId = new URL(boothUrl).pathname.split('/').at(-1)!;
  await recruiter.page.goto(`/employer/booths/${boothId}/report`);
  const slotsTable = recruiter.page.getByRole('region', { name: 'Booked interview slots' });
  for (const row of ['Slots published 2', 'Booked 1', 'Kept 1', 'No-show 0'])
    await expect(slotsTable.getByRole('row', { name: row, exact: true })).toBeVisible();
  const csv = await recruiter.page.request.get(`/employer/booths/${boothId}/report/slots.csv`);
  expect(await csv.text()).toContain('Kept,1');
  await recruiter.page.screenshot({ path: shots('booth-report'), fullPage: true });

  await seeker.context.close();
  await walkUp.context.close();
  await recruiter.context.close();
});

test('the slot pages work in Chinese on a phone', async ({ browser }) => {
  // Staff side: Wang Fang publishes at her booth, in Chinese, 375 px wide.
  const staffContext = await browser.newContext({ locale: 'zh-CN' });
  const staff = await staffContext.newPage();
  await signIn(staff, 'employer@example.com');
  await staff.setViewportSize({ width: 375, height: 800 });
  await staff.getByRole('link', { name: '进入招聘会' }).first().click();
  await staff.getByRole('link', { name: /进入展位.*Xinghe/ }).click();
  await staff.waitForURL(/\/booths\//);
  const boothUrl = staff.url();
  const publisher = staff.getByTestId('slot-publisher');
  await publisher.getByLabel(/第一个时段开始时间/).fill(shanghaiWallTime(Date.now() + 3 * 3600_000));
  await publisher.getByLabel('时段数量').fill('3');
  await publisher.getByLabel('要求已上传简历').check();
  await publisher.getByRole('button', { name: '发布时段' }).click();
  await expect(publisher.getByText('已发布 3 个时段。')).toBeVisible();
  // Overlapping the same interviewer's slots is refused, in words.
  await publisher.getByRole('button', { name: '发布时段' }).click();
  await expect(publisher.getByText('这些时段与面试官的其他时段重叠。')).toBeVisible();
  const overflow = () => staff.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await staff.screenshot({ path: shots('staff-zh-phone'), fullPage: true });
  await expectAccessible(staff, 'slot publisher, zh-CN phone');

  // Seeker side: the demo seeker has no resume, so booking says what is missing.
  const seekerContext = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const seeker = await seekerContext.newPage();
  await signIn(seeker, 'seeker@example.com');
  await seeker.setViewportSize({ width: 375, height: 800 });
  await seeker.goto(boothUrl);
  const booking = seeker.getByTestId('slot-booking');
  await expect(booking.getByTestId('free-slots').getByRole('listitem')).toHaveCount(3);
  await expect(booking.getByText(/需要：简历/).first()).toBeVisible();
  await booking
    .getByRole('button', { name: /^预约 / })
    .first()
    .click();
  await expect(booking.getByTestId('slots-error')).toHaveText('请先在个人资料中上传简历。');
  expect(await seeker.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await seeker.screenshot({ path: shots('seeker-zh-phone'), fullPage: true });
  await expectAccessible(seeker, 'slot booking, zh-CN phone');

  await staffContext.close();
  await seekerContext.close();
});
