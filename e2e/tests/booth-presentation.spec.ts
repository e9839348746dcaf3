import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, expectAccessible, expectMediaFlowing, hydrated, newUser, signIn, staffAtBooth, test } from './fixtures.ts';

/**
 * Issue 14: an employer records a presentation from its booth's stage. Visitors see the recording
 * mark while it lasts; after Stop the stage stays live, the replay is composed, and the booth page
 * lists it under "Past presentations", where a visitor plays it (frames decoding, its length that
 * of the recording) on a page that leads back to the booth. Checked in English and Chinese.
 */
test('an employer records a booth presentation that visitors replay from the booth page', async ({ browser }) => {
  test.setTimeout(600_000);
  const title = `Xinghe campus talk ${randomUUID().slice(0, 6)}`;
  const employer = await staffAtBooth(browser, 'employer@example.com', /Visit booth: .*Xinghe/);
  const { boothUrl } = employer;
  await hydrated(employer.page);
  await employer.page.getByRole('button', { name: 'Go live' }).click();
  await expect(employer.page.getByRole('button', { name: 'End broadcast' })).toBeVisible();

  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await hydrated(seeker.page);
  await expect.poll(() => seeker.page.getByTestId('stage-video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await expect(seeker.page.getByTestId('recording-mark')).toBeHidden();

  // Record: both pages show the mark (the visitor's by push, not a reload).
  await employer.page.getByLabel('Presentation title').fill(title);
  await employer.page.getByRole('button', { name: 'Record a presentation' }).click();
  await expect(employer.page.getByText(`Recording “${title}” since`)).toBeVisible();
  await expect(seeker.page.getByRole('status', { name: `This booth’s presentation “${title}” is being recorded` })).toBeVisible();
  await expect(employer.page.getByTestId('recording-mark')).toBeVisible();
  await expectAccessible(seeker.page, 'booth page, seeker, while recording');
  await expectAccessible(employer.page, 'booth page, staff, while recording');

  // 14 s of the stage, a screen share part-way.
  await employer.page.waitForTimeout(6000);
  await employer.page.getByRole('button', { name: 'Share screen' }).click();
  await expect(employer.page.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
  await employer.page.waitForTimeout(8000);

  // Stop: the mark goes everywhere; the stage stays live for the visitor.
  const stopClicked = Date.now();
  await employer.page.getByRole('button', { name: 'Stop recording' }).click();
  await expect(employer.page.getByRole('button', { name: 'Record a presentation' })).toBeVisible();
  const stopShown = Date.now();
  await expect(seeker.page.getByTestId('recording-mark')).toBeHidden();
  await expectMediaFlowing(seeker.page);

  // Staff see it being prepared, then ready, under Past presentations.
  const staffPast = employer.page.getByTestId('past-presentations');
  await employer.page.reload();
  await expect(staffPast.getByRole('link', { name: title }).first()).toBeVisible();
  await expect
    .poll(
      async () => {
        await employer.page.reload();
        return staffPast.getByRole('listitem').filter({ hasText: title }).getByRole('link', { name: 'Watch the replay' }).count();
      },
      { timeout: 300_000, intervals: [3000] },
    )
    .toBe(1);

  // The visitor finds it on the booth page and plays it.
  await seeker.page.reload();
  const item = seeker.page.getByTestId('past-presentations').getByRole('listitem').filter({ hasText: title });
  await expect(item).toBeVisible();
  await expectAccessible(seeker.page, 'booth page with past presentations');
  await seeker.page.getByTestId('past-presentations').screenshot({ path: test.info().outputPath('past-presentations.png') });
  await item.getByRole('link', { name: 'Watch the replay' }).click();
  await seeker.page.waitForURL(/\/broadcasts\//);
  await hydrated(seeker.page);
  await expect(seeker.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(seeker.page.getByText(/A presentation at .*Xinghe.*’s booth/)).toBeVisible();
  await expect(seeker.page.getByRole('link', { name: /← .*Xinghe/ })).toHaveAttribute('href', new URL(boothUrl).pathname);
  const video = (page: Page) => page.getByTestId('replay-player').locator('video');
  await expect.poll(() => video(seeker.page).evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 60_000 }).toBeGreaterThan(0);
  await video(seeker.page).evaluate((v: HTMLVideoElement) => v.play());
  await expect.poll(() => video(seeker.page).evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 90_000 }).toBeGreaterThan(10.5);
  const decoded = await video(seeker.page).evaluate((v: HTMLVideoElement) => {
    const q = v.getVideoPlaybackQuality();
    return q.totalVideoFrames - q.droppedVideoFrames;
  });
  expect(decoded).toBeGreaterThan(100);
  // As long as the recording: from its start (the replay's 0:00) to the Stop, within a second.
  const startedAt = Date.parse((await seeker.page.getByTestId('replay-player').getAttribute('data-started-at'))!);
  const duration = await video(seeker.page).evaluate((v: HTMLVideoElement) => v.duration);
  expect(duration, `replay ${duration} s; stop clicked ${(stopClicked - startedAt) / 1000} s after its start`).toBeGreaterThan(
    (stopClicked - startedAt) / 1000 - 1,
  );
  expect(duration).toBeLessThan((stopShown - startedAt) / 1000 + 1);
  await expectAccessible(seeker.page, 'booth presentation replay');

  // In Chinese: the booth's list and the replay page.
  const zh = await newUser(browser, 'zh-CN');
  await zh.page.goto(boothUrl);
  await expect(zh.page.getByRole('heading', { name: '往期宣讲' })).toBeVisible();
  await expectAccessible(zh.page, 'booth page, zh-CN, past presentations');
  await zh.page.getByTestId('past-presentations').getByRole('listitem').filter({ hasText: title }).getByRole('link', { name: '观看回放' }).click();
  await zh.page.waitForURL(/\/broadcasts\//);
  await expect(zh.page.getByText(/展位的宣讲/)).toBeVisible();
  await expect(zh.page.getByText('企业宣讲')).toBeVisible();
  await expectAccessible(zh.page, 'booth presentation replay, zh-CN');

  // (The employer's reloads above left the stage: nothing is live at the booth any more.)
  await zh.context.close();
  await seeker.context.close();
  await employer.context.close();
});
