import type { Page } from '@playwright/test';
import { acceptHostInvitation, expect, expectAccessible, hydrated, newUser, shanghaiWallTime, signIn, test } from './fixtures.ts';

/**
 * A broadcast becomes its replay. The host streams the fake camera for 20+ s and shares the screen
 * part-way, a captioner captions, a poll runs, a viewer chats; at the scheduled end the clock
 * closes the broadcast and the composition job makes the replay. A viewer then plays it: frames
 * decode past 10 s, its length matches the live one, the caption cue and the chat line come at
 * their times, chapters seek; the view is counted once; axe passes in English and Chinese.
 */

/** Seconds of live streaming the test schedules (the broadcast ends this long after going live, roughly). */
const LIVE_WINDOW_MS = 75_000;

const video = (page: Page) => page.getByTestId('replay-video');
const mediaTime = (page: Page) => video(page).evaluate((v: HTMLVideoElement) => v.currentTime);

test('an ended broadcast becomes a replay with captions, chapters and chat in step', async ({ browser }) => {
  test.setTimeout(900_000);
  const title = `Replay ${Date.now()}`;

  // The organizer schedules a short broadcast: on now, ending in a little over a minute.
  const organizer = await newUser(browser);
  await signIn(organizer.page, 'organizer@example.com');
  await organizer.page.goto('/organizer/broadcasts');
  const form = organizer.page.locator('#new-broadcast');
  // Whole seconds: the form takes them, and the live length below is measured against this end.
  const endsAt = Math.ceil((Date.now() + LIVE_WINDOW_MS) / 1000) * 1000;
  await form.getByLabel('Title', { exact: true }).fill(title);
  await form.getByLabel('Topic', { exact: true }).selectOption('resume_clinic');
  await form.getByLabel('Starts', { exact: true }).fill(shanghaiWallTime(Date.now() - 60_000, true));
  await form.getByLabel('Ends', { exact: true }).fill(shanghaiWallTime(endsAt, true));
  await form.getByLabel("Hosts' emails", { exact: true }).fill('employer@example.com');
  await form.getByRole('button', { name: 'Create broadcast' }).click();
  const row = organizer.page.getByRole('listitem').filter({ has: organizer.page.getByRole('link', { name: title }) });
  await row.getByRole('button', { name: 'Publish' }).click();
  await expect(organizer.page.getByRole('status').filter({ hasText: 'Broadcast published.' })).toBeVisible();
  await row.getByRole('link', { name: title, exact: true }).click();
  await organizer.page.waitForURL(/\/broadcasts\/[0-9a-f-]{36}$/);
  const url = organizer.page.url();
  const path = new URL(url).pathname;
  await organizer.context.close();

  // The captioner and the viewer are ready before the host goes live (the window is short).
  const captioner = await newUser(browser);
  await signIn(captioner.page, 'employer2@example.com');
  const viewer = await newUser(browser);
  await signIn(viewer.page, 'seeker@example.com');

  // The host accepts, names the captioner and goes live with the fake camera.
  const host = await newUser(browser);
  await signIn(host.page, 'employer@example.com');
  await acceptHostInvitation(host.page, 'employer@example.com', title);
  await host.page.goto(`${path}/captions`);
  await host.page.getByLabel("Captioner's account email").fill('employer2@example.com');
  await host.page.getByRole('button', { name: 'Add captioner' }).click();
  await expect(host.page.getByRole('status').filter({ hasText: 'can now send captions' })).toBeVisible();
  await host.page.goto(url);
  await hydrated(host.page);
  const clickedAt = Date.now();
  await host.page.getByRole('button', { name: 'Go live' }).click();
  await expect(host.page.getByRole('button', { name: 'End live stream' })).toBeVisible();
  const shownLiveAt = Date.now();
  expect(endsAt - shownLiveAt, 'the set-up left 20+ s of live streaming').toBeGreaterThan(25_000);

  await captioner.page.goto(url);
  await viewer.page.goto(url);
  await hydrated(viewer.page);

  // A few seconds in, the host shares the screen (the replay's main picture from then on).
  await host.page.getByRole('button', { name: 'Share screen' }).click();
  await expect(host.page.getByRole('button', { name: 'Stop sharing screen' })).toBeVisible();

  // The captioner's line and the viewer's chat line; their wall times are the expected replay times.
  const box = captioner.page.getByTestId('caption-composer');
  await box.getByLabel('Language').selectOption('en');
  await box.getByLabel('Caption line').fill('Welcome to the replay test');
  const captionAt = Date.now();
  await box.getByLabel('Caption line').press('Enter');
  await expect(box.getByLabel('Caption line')).toHaveValue('');
  const chat = viewer.page.getByTestId('broadcast-chat');
  await chat.getByLabel('Your message').fill('Hello from the live chat');
  const chatAt = Date.now();
  await chat.getByRole('button', { name: 'Send' }).click();
  await expect(chat.getByLabel('Your message')).toHaveValue('');

  // A poll runs; the host marks a chapter.
  const hostPolls = host.page.getByTestId('polls');
  await hostPolls.getByLabel('Question').fill('Replay or live?');
  await hostPolls.getByLabel('Option 1', { exact: true }).fill('Replay');
  await hostPolls.getByLabel('Option 2', { exact: true }).fill('Live');
  await hostPolls.getByRole('button', { name: 'Launch poll' }).click();
  const viewerPoll = viewer.page.getByTestId('poll').filter({ hasText: 'Replay or live?' });
  await viewerPoll.getByLabel('Replay').check();
  await viewerPoll.getByRole('button', { name: 'Vote' }).click();
  await expect(viewerPoll.getByTestId('poll-voters')).toHaveText('1 voted');
  await host.page.getByLabel('Chapter title').fill('Questions from the audience');
  await host.page.getByRole('button', { name: 'Mark chapter' }).click();
  await expect(host.page.getByRole('status').filter({ hasText: 'Marked “Questions from the audience”' })).toBeVisible();

  // The broadcast ends at its scheduled end (the clock closes it; the composition job is queued).
  await host.page.waitForTimeout(Math.max(0, endsAt - Date.now()) + 2000);
  await captioner.context.close();
  await host.context.close();

  // The viewer's page becomes the replay once composed (processing meanwhile, with progress).
  await viewer.page.reload();
  await expect(viewer.page.getByTestId('replay-status').or(viewer.page.getByTestId('replay-player'))).toBeVisible();
  await expect(viewer.page.getByTestId('replay-player')).toBeVisible({ timeout: 600_000 });
  await hydrated(viewer.page);

  // Playback advances past 10 s with frames decoding; the replay is as long as the live broadcast.
  // hls.js attaches the stream after its import: wait for the media before asking it to play.
  await expect.poll(() => video(viewer.page).evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 60_000 }).toBeGreaterThan(0);
  await video(viewer.page).evaluate((v: HTMLVideoElement) => v.play());
  await expect.poll(() => mediaTime(viewer.page), { timeout: 90_000 }).toBeGreaterThan(10.5);
  // Numbers, not the VideoPlaybackQuality object: a platform object crosses evaluate() as {}.
  const decoded = await video(viewer.page).evaluate((v: HTMLVideoElement) => {
    const q = v.getVideoPlaybackQuality();
    return q.totalVideoFrames - q.droppedVideoFrames;
  });
  expect(decoded).toBeGreaterThan(100);
  // The live stream began between the click and the page saying so (a loaded machine widens that
  // window); the recording's start (the replay's 0:00) must be in it, and the replay as long as the
  // live stream from there to the broadcast's end. Caption and chat times are measured from it too.
  const liveAt = Date.parse((await viewer.page.getByTestId('replay-player').getAttribute('data-started-at'))!);
  expect(liveAt, `recording began ${liveAt - clickedAt} ms after Go live (page said live at ${shownLiveAt - clickedAt} ms)`).toBeGreaterThanOrEqual(clickedAt);
  expect(liveAt).toBeLessThanOrEqual(shownLiveAt + 1000);
  const duration = await video(viewer.page).evaluate((v: HTMLVideoElement) => v.duration);
  expect(Math.abs(duration - (endsAt - liveAt) / 1000), `replay ${duration} s, live ${(endsAt - liveAt) / 1000} s`).toBeLessThan(1);

  // The caption cue sits at its time (the replay's track is shifted onto the recording's start).
  await viewer.page.getByTestId('replay-captions').selectOption('en');
  const expectedCaption = (captionAt - liveAt) / 1000;
  const cueStart = await video(viewer.page).evaluate(async (v: HTMLVideoElement) => {
    const track = Array.from(v.textTracks).find((t) => t.language === 'en')!;
    for (let i = 0; i < 100 && !track.cues?.length; i++) await new Promise((r) => setTimeout(r, 100));
    return Array.from(track.cues ?? []).find((c) => (c as VTTCue).text === 'Welcome to the replay test')?.startTime ?? null;
  });
  expect(cueStart).not.toBeNull();
  expect(Math.abs(cueStart! - expectedCaption), `cue at ${cueStart} s, sent at ${expectedCaption} s`).toBeLessThan(1);
  // …and shows when playback reaches it.
  await video(viewer.page).evaluate((v: HTMLVideoElement, at: number) => (v.currentTime = Math.max(0, at - 1.5)), cueStart!);
  await expect
    .poll(() => video(viewer.page).evaluate((v: HTMLVideoElement) => Array.from(v.textTracks).find((t) => t.language === 'en')?.activeCues?.length ?? 0))
    .toBeGreaterThan(0);

  // The chat line appears when playback passes its time (within 1 s).
  const expectedChat = (chatAt - liveAt) / 1000;
  const line = viewer.page.getByTestId('replay-line').filter({ hasText: 'Hello from the live chat' });
  await video(viewer.page).evaluate((v: HTMLVideoElement, at: number) => (v.currentTime = Math.max(0, at - 3)), expectedChat);
  await expect(line).toHaveCount(0);
  // The player's time is read in the page the moment the line is added, not after two round trips
  // from here (on a loaded machine those took longer than the tolerance while playback went on).
  const shownAt = await video(viewer.page).evaluate(
    (v: HTMLVideoElement, text: string) =>
      new Promise<number>((resolve, reject) => {
        const shown = () => [...document.querySelectorAll('[data-testid="replay-line"]')].some((el) => el.textContent?.includes(text));
        const observer = new MutationObserver(() => {
          if (!shown()) return;
          observer.disconnect();
          resolve(v.currentTime);
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
        if (shown()) resolve(v.currentTime);
        setTimeout(() => reject(new Error('the chat line never appeared')), 30_000);
      }),
    'Hello from the live chat',
  );
  await expect(line).toBeVisible();
  expect(Math.abs(shownAt - expectedChat), `line shown at ${shownAt} s, said at ${expectedChat} s`).toBeLessThan(1);

  // The chapter list seeks (by keyboard: focus and Enter).
  const chapter = viewer.page.getByRole('button', { name: /Questions from the audience/ });
  const chapterAt = Number(await chapter.getAttribute('data-at-ms')) / 1000;
  await video(viewer.page).evaluate((v: HTMLVideoElement) => (v.currentTime = 1));
  await chapter.focus();
  await viewer.page.keyboard.press('Enter');
  await expect.poll(() => mediaTime(viewer.page)).toBeGreaterThanOrEqual(chapterAt - 0.5);
  expect(await mediaTime(viewer.page)).toBeLessThan(chapterAt + 3);
  await expect(chapter).toHaveAttribute('aria-current', 'true');

  // Speed control and the download link.
  await viewer.page.getByTestId('replay-speed').selectOption('1.5');
  expect(await video(viewer.page).evaluate((v: HTMLVideoElement) => v.playbackRate)).toBe(1.5);
  await expect(viewer.page.getByTestId('replay-download')).toHaveAttribute('href', /replay\.mp4$/);

  // Pausing sends the view's watch time; the page passes axe and is photographed (desktop and phone).
  await video(viewer.page).evaluate((v: HTMLVideoElement) => v.pause());
  await expectAccessible(viewer.page, 'replay page, viewer');
  await viewer.page.screenshot({ path: 'test-results/replay-desktop.png', fullPage: true });
  await viewer.page.setViewportSize({ width: 375, height: 812 });
  await viewer.page.screenshot({ path: 'test-results/replay-phone.png', fullPage: true });
  await expectAccessible(viewer.page, 'replay page at 375 px');
  await viewer.context.close();

  // The organizer's report: one replay view by one viewer (whatever beats it sent), apart from live views.
  const reporter = await newUser(browser);
  await signIn(reporter.page, 'organizer@example.com');
  await reporter.page.goto(`${path}/report`);
  await expect(reporter.page.getByTestId('rp-views')).toHaveText('1');
  await expect(reporter.page.getByTestId('rp-unique')).toHaveText('1');
  await expect(reporter.page.getByTestId('rp-watch-total')).not.toHaveText('0:00:00');
  const csv = await (await reporter.page.request.get(`${path}/report/summary.csv`)).text();
  expect(csv).toContain('Replay views,1');
  await reporter.context.close();

  // A Chinese-speaking visitor: the replay page in zh-CN passes axe.
  const visitor = await newUser(browser, 'zh-CN');
  await visitor.page.goto(url);
  await expect(visitor.page.getByTestId('replay-player')).toBeVisible();
  await expect(visitor.page.getByRole('heading', { name: '章节' })).toBeVisible();
  await expectAccessible(visitor.page, 'replay page, zh-CN visitor');
  await visitor.page.screenshot({ path: 'test-results/replay-zh-desktop.png', fullPage: true });
  await visitor.context.close();
});
