import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  callIntoInterview,
  expect,
  expectAccessible,
  expectMediaFlowing,
  hydrated,
  joinLine,
  mailedLink,
  newUser,
  recruiterOnDuty,
  signIn,
  test,
} from './fixtures.ts';

const SHOTS = 'test-results/handoffs';
const shot = async (page: Page, name: string) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
};

test('a recruiter hands a seeker to a colleague, who interviews them and records a shared offer; the report counts it', async ({ browser }) => {
  // Four browsers, two interviews with media and six axe scans: longer than one journey's guard on 2 shared cores.
  test.setTimeout(420_000);
  // Xinghe's owner goes on duty and brings a colleague (the demo's second employer) into the team.
  const { boothUrl, ...owner } = await recruiterOnDuty(browser, 'employer@example.com', /Visit booth: .*Xinghe/);
  const team = await owner.context.newPage();
  await team.goto('/employer');
  await hydrated(team);
  await team.locator('#team').getByLabel("Recruiter's email").fill('employer2@example.com');
  await team.locator('#team').getByRole('button', { name: 'Send invitation' }).click();
  await expect(team.locator('#team').getByRole('status')).toContainText('employer2@example.com');
  const colleague = await newUser(browser);
  await signIn(colleague.page, 'employer2@example.com');
  await colleague.page.goto(await mailedLink('employer2@example.com', '/invitations'));
  await colleague.page.getByRole('button', { name: 'Accept the invitation' }).click();
  await expect(colleague.page).toHaveURL(/\/employer/);
  await colleague.page.goto(boothUrl);
  await hydrated(colleague.page);
  await colleague.page.getByRole('button', { name: 'Go on duty' }).click();
  await expect(colleague.page.getByText('On duty', { exact: true })).toBeVisible();

  // The seeker queues; the owner calls them; both are in the interview.
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await hydrated(seeker.page);
  const fairHref = await seeker.page.getByRole('link', { name: /Back to the fair/ }).getAttribute('href');
  await joinLine(seeker.page);
  await callIntoInterview(owner.page, seeker.page);
  const firstInterview = seeker.page.url();
  await expectMediaFlowing(owner.page);

  // The owner's hand-off controls; the colleague is on duty, so they can take the seeker.
  const handoff = owner.page.getByRole('region', { name: 'Hand off' });
  await expect(handoff.getByLabel('Transfer to a colleague').locator('option', { hasText: 'Zhao Qiang' })).toBeEnabled();
  await expectAccessible(owner.page, 'interview room with hand-offs, recruiter');
  await shot(owner.page, 'interview-handoff-controls');
  await handoff.getByLabel('Transfer to a colleague').selectOption({ label: '赵强 Zhao Qiang' });
  await handoff.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(owner.page.getByText('Transferred. The seeker is called to your colleague.')).toBeVisible();

  // The seeker is told, then called to the colleague at once, and the colleague's interview opens.
  await expect(seeker.page.getByText('You were handed to a colleague')).toBeVisible();
  await seeker.page
    .getByRole('alertdialog', { name: /A recruiter is calling you/ })
    .getByRole('button', { name: 'Accept and join' })
    .click();
  await seeker.page.waitForURL((url) => url.pathname.startsWith('/interviews/') && url.href !== firstInterview);
  await colleague.page.waitForURL(/\/interviews\//);
  expect(new URL(colleague.page.url()).pathname).toBe(new URL(seeker.page.url()).pathname);
  // Frames decode both ways with the colleague.
  await expectMediaFlowing(seeker.page);
  await expectMediaFlowing(colleague.page);

  // The colleague records "offer made", shared with the candidate, and ends the interview.
  const hire = colleague.page.getByRole('region', { name: 'Towards hiring' });
  await hire.getByLabel('Stage').selectOption('offer_made');
  await hire.getByLabel('Note (the team only)').fill('Offer letter sent by HR');
  await hire.getByLabel('Share with the candidate').check();
  await hire.getByRole('button', { name: 'Record stage' }).click();
  await expect(hire.getByText('Stage recorded.')).toBeVisible();
  await expect(hire.getByTestId('hire-history')).toContainText('Offer made');
  await expectAccessible(colleague.page, 'interview with stages towards hiring, colleague');
  await colleague.page.setViewportSize({ width: 390, height: 844 });
  await shot(colleague.page, 'interview-hiring-phone');
  await colleague.page.getByRole('button', { name: 'End interview' }).click();
  await expect(seeker.page.getByText('This interview has ended.')).toBeVisible();

  // The seeker sees the shared stage (never the note).
  await seeker.page.goto('/interviews');
  await expect(seeker.page.getByTestId('shared-stages')).toContainText('Offer made');
  await expect(seeker.page.getByText('Offer letter sent by HR')).toHaveCount(0);
  await expectAccessible(seeker.page, 'interview history with shared stages');
  const zhSeeker = await newUser(browser, 'zh-CN');
  await signIn(zhSeeker.page, 'seeker@example.com');
  await zhSeeker.page.goto('/interviews');
  await expect(zhSeeker.page.getByTestId('shared-stages')).toContainText('已发录用通知');
  await expectAccessible(zhSeeker.page, 'interview history with shared stages, zh-CN');
  await zhSeeker.page.setViewportSize({ width: 390, height: 844 });
  await shot(zhSeeker.page, 'interviews-shared-zh-phone');

  // The fair report has the new rows: one offer at Xinghe, in en and zh-CN.
  const fairId = fairHref!.split('/').pop()!;
  for (const [locale, label, offers] of [
    ['en-US', 'Towards hiring', 'Offers made'],
    ['zh-CN', '录用进展', '发出录用'],
  ] as const) {
    const organizer = await newUser(browser, locale);
    await signIn(organizer.page, 'organizer@example.com');
    await organizer.page.goto(`/organizer/fairs/${fairId}/report`);
    const section = organizer.page.getByRole('region', { name: label, exact: true });
    const table = section.getByTestId('table-hiring');
    await expect(table.getByRole('columnheader', { name: offers })).toBeVisible();
    const row = table.getByRole('row').filter({ hasText: 'Xinghe' });
    const offersColumn = await table.getByRole('columnheader').evaluateAll((ths, name) => ths.findIndex((th) => th.textContent?.trim() === name), offers);
    await expect(row.locator('th, td').nth(offersColumn)).toHaveText('1');
    await expectAccessible(organizer.page, `fair report with hiring rows, ${locale}`);
    await section.screenshot({ path: `${SHOTS}/report-hiring-${locale}.png` }).catch(() => {});
    await organizer.context.close();
  }

  // The colleague leaves the team again (the demo team stays as it was).
  await team.goto('/employer');
  await hydrated(team);
  await team
    .locator('#team')
    .getByRole('button', { name: /Remove.*Zhao Qiang/ })
    .click();
  await expect(team.locator('#team').getByRole('listitem').filter({ hasText: 'Zhao Qiang' })).toHaveCount(0);
  await Promise.all([owner.context.close(), colleague.context.close(), seeker.context.close(), zhSeeker.context.close()]);
});
