import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { capturedMail, expect, expectAccessible, hydrated, newUser, shanghaiWallTime, signIn, test } from './fixtures.ts';

const SHOTS = 'test-results/resume-book';
mkdirSync(SHOTS, { recursive: true });

const fitsTheScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const shoot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** At 375 px and in Chinese: nothing wider than the screen, axe passes; a screenshot to look at. */
async function onAPhone(page: Page, label: string): Promise<void> {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.reload();
  expect(await fitsTheScreen(page), `${label} fits 375 px`).toBe(true);
  await expectAccessible(page, `${label} on a phone`);
  await shoot(page, `${label}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('an employer finds an opted-in seeker in the resume book and invites them; the seeker accepts and sees who looked', async ({ browser }) => {
  // The seeker opts in on the live fair's page (off until then).
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto('/');
  await seeker.page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await seeker.page.waitForURL(/\/fairs\//);
  await hydrated(seeker.page);
  const optIn = seeker.page.getByRole('region', { name: "Let this fair's employers find you" });
  await expect(optIn.getByTestId('optin-state')).toHaveText('Not findable');
  await optIn.getByRole('button', { name: /Let employers find me/ }).click();
  await expect(optIn.getByTestId('optin-state')).toHaveText('Findable');
  await expectAccessible(seeker.page, 'fair page with the resume-book switch');

  // The employer (Xinghe, a booth at the live fair) searches its resume book by skill and place.
  const employer = await newUser(browser);
  await signIn(employer.page, 'employer@example.com');
  await employer.page.goto('/employer');
  await employer.page
    .getByRole('link', { name: /^Resume book/ })
    .first()
    .click();
  await employer.page.waitForURL(/\/employer\/resume-book\//);
  await employer.page.getByRole('textbox', { name: 'Skills' }).fill('typescript, sql');
  await employer.page.getByRole('textbox', { name: 'Location' }).fill('Hangzhou');
  await employer.page.getByLabel('Job type').selectOption('full_time');
  await employer.page.getByRole('button', { name: 'Search' }).click();
  await expect(employer.page).toHaveURL(/skills=typescript/);
  const results = employer.page.getByTestId('rb-results');
  await expect(results.getByRole('link', { name: '李明 Li Ming', exact: true })).toBeVisible();
  await expect(results.getByTestId('rb-reason').first()).toContainText(/Best fit: .*skills/);
  await expectAccessible(employer.page, 'resume book with results');
  await shoot(employer.page, 'resume-book-en');

  // A refused filter is shown beside its field and finds nobody.
  await employer.page.getByLabel('Graduation year').fill('1800');
  await employer.page.getByRole('button', { name: 'Search' }).click();
  await expect(employer.page.getByText('This number is too small.')).toBeVisible();
  await expect(employer.page.getByTestId('rb-count')).toHaveText('Candidates found: 0');
  await expectAccessible(employer.page, 'resume book with a refused filter');
  await employer.page.goBack();

  // Open the profile and invite the seeker to the booth.
  await results.getByRole('link', { name: '李明 Li Ming', exact: true }).click();
  await employer.page.waitForURL(/\/seekers\//);
  await hydrated(employer.page);
  await expect(employer.page.getByRole('heading', { name: '李明 Li Ming', level: 1 })).toBeVisible();
  await employer.page.getByLabel('Invite to').selectOption({ label: 'Our booth' });
  await employer.page.getByLabel('Note (optional)').fill('Come and meet our frontend team at the booth.');
  await employer.page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(employer.page.getByText('Invitation sent.')).toBeVisible();
  await expect(employer.page.getByTestId('rb-sent')).toContainText('Waiting');
  // A second invitation to the same target is refused with a reason.
  await employer.page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(employer.page.getByRole('alert')).toHaveText('This candidate already has your invitation to that.');
  await expectAccessible(employer.page, 'candidate profile after inviting');
  await shoot(employer.page, 'candidate-profile-en');

  // The seeker gets an in-app notice and a mail, and accepts.
  await expect
    .poll(() => capturedMail().some((m) => m.to === 'seeker@example.com' && /invites you to their booth|邀请你到展位面谈/.test(m.subject)))
    .toBe(true);
  await seeker.page.goto('/profile');
  await expect(seeker.page.getByTestId('nav-invitations')).toHaveText('Invitations (1 new)');
  await seeker.page.getByTestId('nav-invitations').click();
  await seeker.page.waitForURL('**/profile/invitations');
  await hydrated(seeker.page);
  const invitation = seeker.page.getByTestId('ci-list').getByRole('listitem').first();
  await expect(invitation).toContainText('Invites you to their booth');
  await expect(invitation).toContainText('Come and meet our frontend team');
  await expectAccessible(seeker.page, 'invitations, one waiting');
  await invitation.getByRole('button', { name: /^Accept/ }).click();
  await expect(invitation.getByText('You accepted.')).toBeVisible();
  await expect(seeker.page.getByTestId('nav-invitations')).toHaveText('Invitations');
  await shoot(seeker.page, 'invitations-en');

  // The employer sees the acceptance.
  await employer.page.reload();
  await expect(employer.page.getByTestId('rb-sent')).toContainText('Accepted');

  // The seeker sees who looked at what: the search row and the profile, by Xinghe's owner.
  await seeker.page.goto('/profile/privacy');
  await hydrated(seeker.page);
  const log = seeker.page.getByTestId('view-log');
  await expect(log).toContainText('Your profile');
  await expect(log).toContainText('Your row in search results');
  await expect(log).toContainText('王芳 Wang Fang');
  await expectAccessible(seeker.page, 'privacy page with the view log');
  await shoot(seeker.page, 'privacy-en');

  // In Chinese, and on a phone.
  const zhEmployer = await newUser(browser, 'zh-CN');
  await signIn(zhEmployer.page, 'employer@example.com');
  await zhEmployer.page.goto(employer.page.url().replace(/\/seekers\/.*/, '') + '?skills=TypeScript');
  await expect(zhEmployer.page.getByRole('heading', { name: '简历库', level: 1 })).toBeVisible();
  await expect(zhEmployer.page.getByTestId('rb-reason').first()).toContainText('最匹配');
  await expectAccessible(zhEmployer.page, 'resume book in Chinese');
  await shoot(zhEmployer.page, 'resume-book-zh');
  await onAPhone(zhEmployer.page, 'resume-book-zh');
  await zhEmployer.page.getByTestId('rb-results').getByRole('link', { name: '李明 Li Ming', exact: true }).click();
  await zhEmployer.page.waitForURL(/\/seekers\//);
  await expect(zhEmployer.page.getByRole('button', { name: '发送邀约' })).toBeVisible();
  await onAPhone(zhEmployer.page, 'candidate-profile-zh');

  const zhSeeker = await newUser(browser, 'zh-CN');
  await signIn(zhSeeker.page, 'seeker@example.com');
  await zhSeeker.page.goto('/profile/invitations');
  await expect(zhSeeker.page.getByText('您已接受。')).toBeVisible();
  await onAPhone(zhSeeker.page, 'invitations-zh');
  await zhSeeker.page.goto('/profile/privacy');
  await expect(zhSeeker.page.getByTestId('view-log')).toContainText('您的简历详情');
  await onAPhone(zhSeeker.page, 'privacy-zh');

  // Clean up for the other specs: the seeker is no longer findable.
  await seeker.page.getByRole('button', { name: /Stop being findable/ }).click();
  await expect(seeker.page.getByRole('button', { name: /Stop being findable/ })).toHaveCount(0);
  await Promise.all([seeker.context.close(), employer.context.close(), zhEmployer.context.close(), zhSeeker.context.close()]);
});

test('an employer invites a seeker from the resume book to a booked slot; the seeker is told live, accepts, and the slot is theirs', async ({ browser }) => {
  test.setTimeout(240_000);
  // Xinghe's owner publishes one slot a little over an hour ahead (cancellable: the cut-off is an hour).
  const employer = await newUser(browser);
  await signIn(employer.page, 'employer@example.com');
  await employer.page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await employer.page.getByRole('link', { name: /Visit booth: .*Xinghe/ }).click();
  await employer.page.waitForURL(/\/booths\//);
  const boothUrl = employer.page.url();
  await hydrated(employer.page);
  const start = Math.ceil((Date.now() + 75 * 60_000) / 60_000) * 60_000;
  const publisher = employer.page.getByTestId('slot-publisher');
  await publisher.getByLabel(/First slot starts/).fill(shanghaiWallTime(start));
  await publisher.getByLabel('Number of slots').fill('1');
  await publisher.getByLabel('Length (minutes)').fill('20');
  await publisher.getByLabel('Break after each (minutes)').fill('0');
  await publisher.getByRole('button', { name: 'Publish slots' }).click();
  await expect(publisher.getByText('1 slots published.')).toBeVisible();

  // The seeker opts in to be found, and waits on their profile page.
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await seeker.page.waitForURL(/\/fairs\//);
  await hydrated(seeker.page);
  const optIn = seeker.page.getByRole('region', { name: "Let this fair's employers find you" });
  await optIn.getByRole('button', { name: /Let employers find me/ }).click();
  await expect(optIn.getByTestId('optin-state')).toHaveText('Findable');
  await seeker.page.goto('/profile');
  await hydrated(seeker.page);

  // The employer finds them and picks the slot in the invite dialog.
  await employer.page.goto('/employer');
  await employer.page
    .getByRole('link', { name: /^Resume book/ })
    .first()
    .click();
  await employer.page.waitForURL(/\/employer\/resume-book\//);
  await employer.page.goto(employer.page.url().split('?')[0] + '?skills=TypeScript');
  await employer.page.getByTestId('rb-results').getByRole('link', { name: '李明 Li Ming', exact: true }).click();
  await employer.page.waitForURL(/\/seekers\//);
  await hydrated(employer.page);
  const shanghai = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(
    new Date(start),
  );
  const target = employer.page.getByLabel('Invite to');
  // Other specs may have left Xinghe slots at other times: this one is found by its time.
  const slotOption = target.locator('option', { hasText: new RegExp(`^Interview slot: .*${shanghai}`) });
  await expect(slotOption).toHaveCount(1);
  await expect(slotOption).toContainText(shanghai);
  await target.selectOption({ label: (await slotOption.textContent())!.trim() });
  await employer.page.getByLabel('Note (optional)').fill('A 20 minute chat with our frontend lead.');
  await employer.page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(employer.page.getByText('Invitation sent.')).toBeVisible();
  await expect(employer.page.getByTestId('rb-sent')).toContainText(`Slot`);
  await expectAccessible(employer.page, 'candidate profile after a slot invitation');
  await shoot(employer.page, 'slot-invite-employer-en');

  // The seeker is told at once, on the page they are on, and the mail names the time.
  const notice = seeker.page.getByTestId('invitation-notice');
  await expect(notice).toContainText(/invites you to an interview at/);
  await expect.poll(() => capturedMail().some((m) => m.to === 'seeker@example.com' && /interview at|参加面试/.test(m.subject))).toBe(true);
  await expectAccessible(seeker.page, 'profile with an invitation notice');
  await shoot(seeker.page, 'slot-invite-notice-en');
  await notice.getByRole('link', { name: 'See invitations' }).click();
  await seeker.page.waitForURL('**/profile/invitations');
  await hydrated(seeker.page);
  const invitation = seeker.page.getByTestId('ci-list').getByRole('listitem').first();
  await expect(invitation.getByTestId('ci-what')).toContainText('Invites you to an interview at');
  await invitation.getByRole('button', { name: /^Accept/ }).click();
  await expect(invitation.getByText('You accepted.')).toBeVisible();
  await expect(invitation.getByTestId('ci-slot-state')).toHaveText('Booked. It is in your bookings.');
  await expectAccessible(seeker.page, 'invitations with an accepted slot');
  await shoot(seeker.page, 'slot-invite-accepted-en');

  // The booking is real: on the booth page for the seeker, and in the employer console for the team.
  await seeker.page.goto(boothUrl);
  await expect(seeker.page.getByTestId('my-bookings').getByRole('listitem')).toHaveCount(1);
  await employer.page.goto('/employer');
  const team = employer.page.getByTestId('team-bookings');
  await expect(team.getByRole('row', { name: /李明 Li Ming/ })).toBeVisible();
  await expectAccessible(employer.page, 'employer console with booked interviews');
  await shoot(employer.page, 'team-bookings-en');

  // In Chinese and on a phone: the invitation list and the console.
  const zhSeeker = await newUser(browser, 'zh-CN');
  await signIn(zhSeeker.page, 'seeker@example.com');
  await zhSeeker.page.goto('/profile/invitations');
  await expect(zhSeeker.page.getByTestId('ci-what').first()).toContainText('参加面试');
  await expectAccessible(zhSeeker.page, 'invitations in Chinese');
  await onAPhone(zhSeeker.page, 'slot-invitations-zh');
  const zhEmployer = await newUser(browser, 'zh-CN');
  await signIn(zhEmployer.page, 'employer@example.com');
  await zhEmployer.page.goto('/employer');
  await expect(zhEmployer.page.getByRole('heading', { name: '团队已预约的面试' })).toBeVisible();
  await onAPhone(zhEmployer.page, 'team-bookings-zh');

  // Clean up for the other specs: the booking is cancelled and the seeker is no longer findable.
  await seeker.page
    .getByTestId('my-bookings')
    .getByRole('button', { name: /^Cancel/ })
    .first()
    .click();
  await expect(seeker.page.getByTestId('my-bookings').getByRole('listitem')).toHaveCount(0);
  // ...and the slot withdrawn, so no spec after this one finds an extra free slot at Xinghe.
  await employer.page.goto(boothUrl);
  await hydrated(employer.page);
  await employer.page
    .getByTestId('staff-slots')
    .getByRole('listitem')
    .filter({ hasText: shanghai })
    .getByRole('button', { name: /^Withdraw/ })
    .click();
  await expect(employer.page.getByText('Slot withdrawn.')).toBeVisible();
  await seeker.page.goto('/profile/privacy');
  await hydrated(seeker.page);
  await seeker.page.getByRole('button', { name: /Stop being findable/ }).click();
  await expect(seeker.page.getByRole('button', { name: /Stop being findable/ })).toHaveCount(0);
  await Promise.all([seeker.context.close(), employer.context.close(), zhEmployer.context.close(), zhSeeker.context.close()]);
});
