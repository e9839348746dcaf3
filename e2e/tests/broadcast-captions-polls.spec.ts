import { expect, expectAccessible, expectMediaFlowing, hostGoesLive, newUser, signIn, test } from './fixtures.ts';

/**
 * Live captions and a poll on a broadcast with the fake camera: the host names a captioner, the
 * captioner's lines appear over the viewer's video (an aria-live region, in the language the
 * viewer chose, remembered), a poll runs and the viewer's vote shows in everyone's results. The
 * pages pass axe in English and Chinese; the viewer's stage is photographed at desktop and phone width.
 */
test('a captioner captions live, a poll runs, the viewer sees both', async ({ browser }) => {
  test.setTimeout(300_000);
  const { host, url } = await hostGoesLive(browser, `Captions and polls ${Date.now()}`);
  const broadcastPath = new URL(url).pathname;

  // The host names a captioner (the demo employer of another company) on the captions page, in a
  // second tab: the live tab keeps streaming.
  const manage = await host.context.newPage();
  await manage.goto(`${broadcastPath}/captions`);
  await manage.getByLabel("Captioner's account email").fill('employer2@example.com');
  await manage.getByRole('button', { name: 'Add captioner' }).click();
  await expect(manage.getByRole('status').filter({ hasText: 'can now send captions' })).toBeVisible();
  await expectAccessible(manage, 'captions and chapters page, host');
  await manage.close();

  // A signed-in viewer watches: frames decode.
  const viewer = await newUser(browser);
  await signIn(viewer.page, 'seeker@example.com');
  await viewer.page.goto(url);
  await viewer.page.getByRole('button', { name: 'Watch' }).click();
  await expectMediaFlowing(viewer.page, { audio: false });
  // No caption box for viewers; their page has joined the broadcast's captions before the first line.
  await expect(viewer.page.getByTestId('caption-composer')).toHaveCount(0);
  await expect(viewer.page.getByTestId('live-captions')).toHaveAttribute('data-joined', 'true');

  // The captioner sends a Chinese line: it appears over the viewer's video, in the live region.
  const captioner = await newUser(browser);
  await signIn(captioner.page, 'employer2@example.com');
  await captioner.page.goto(url);
  const box = captioner.page.getByTestId('caption-composer');
  await box.getByLabel('Language').selectOption('zh-CN');
  await box.getByLabel('Caption line').fill('大家好，欢迎来到简历诊所');
  await box.getByLabel('Caption line').press('Enter');
  await expect(box.getByLabel('Caption line')).toHaveValue('');
  const captions = viewer.page.getByTestId('live-captions');
  await expect(captions).toHaveAttribute('aria-live', 'polite');
  await expect(captions).toContainText('大家好，欢迎来到简历诊所');

  // An English line too: the English-speaking viewer sees it, and may choose Chinese (remembered).
  await box.getByLabel('Language').selectOption('en');
  await box.getByLabel('Caption line').fill('Welcome to the résumé clinic <live>');
  await box.getByRole('button', { name: 'Send' }).click();
  await expect(captions).toContainText('Welcome to the résumé clinic <live>');
  const settings = viewer.page.getByRole('group', { name: 'Caption settings' });
  await settings.getByLabel('Language').selectOption('zh-CN');
  await box.getByLabel('Language').selectOption('zh-CN');
  await box.getByLabel('Caption line').fill('今天我们讲简历里最常见的三个问题，请大家在问答区提问');
  await box.getByLabel('Caption line').press('Enter');
  await expect(captions).toContainText('今天我们讲简历里最常见的三个问题');
  // The size control and the toggle work.
  await settings.getByLabel('Size').selectOption('large');
  await expect(captions).toHaveClass(/size-large/);

  // The host launches a poll; the viewer votes; both see the vote in the results.
  const hostPolls = host.page.getByTestId('polls');
  await hostPolls.getByLabel('Question').fill('Which part of your résumé worries you most?');
  await hostPolls.getByLabel('Option 1', { exact: true }).fill('工作经历 Work experience');
  await hostPolls.getByLabel('Option 2', { exact: true }).fill('Skills');
  await hostPolls.getByRole('button', { name: 'Add option' }).click();
  await hostPolls.getByLabel('Option 3', { exact: true }).fill('Education');
  await hostPolls.getByRole('button', { name: 'Launch poll' }).click();
  const viewerPoll = viewer.page.getByTestId('poll').filter({ hasText: 'Which part of your résumé worries you most?' });
  await viewerPoll.getByLabel('Skills').check();
  await viewerPoll.getByRole('button', { name: 'Vote' }).click();
  await expect(viewerPoll.getByTestId('poll-voters')).toHaveText('1 voted');
  await expect(viewerPoll.getByTestId('poll-results')).toContainText('your vote');
  const hostPoll = host.page.getByTestId('poll').filter({ hasText: 'Which part of your résumé worries you most?' });
  await expect(hostPoll.getByTestId('poll-voters')).toHaveText('1 voted');
  await expect(hostPoll.getByTestId('poll-results').getByRole('listitem').nth(1)).toContainText('1 (100%)');

  // The viewer's stage with a caption on screen and the poll, at desktop and phone width.
  await box.getByLabel('Caption line').fill('请把简历控制在一页以内，重点写清楚你做过的项目和取得的结果');
  await box.getByLabel('Caption line').press('Enter');
  await expect(captions).toContainText('请把简历控制在一页以内');
  await viewer.page.screenshot({ path: 'test-results/captions-polls-desktop.png', fullPage: true });
  await expectAccessible(viewer.page, 'broadcast page with captions and a poll, viewer');
  await viewer.page.setViewportSize({ width: 390, height: 844 });
  await box.getByLabel('Caption line').fill('有问题可以随时在问答区提出，我们会在直播中回答');
  await box.getByLabel('Caption line').press('Enter');
  await expect(captions).toContainText('有问题可以随时在问答区提出');
  await viewer.page.screenshot({ path: 'test-results/captions-polls-phone.png', fullPage: true });

  // The language choice is remembered on this device.
  await viewer.page.setViewportSize({ width: 1280, height: 720 });
  await viewer.page.reload();
  await box.getByLabel('Caption line').fill('第二部分：面试准备');
  await box.getByLabel('Caption line').press('Enter');
  await expect(captions).toContainText('第二部分：面试准备');
  await expect(settings.getByLabel('Size')).toHaveValue('large');

  // A Chinese-speaking visitor sees the poll's results and the captions; the page passes axe in zh-CN.
  const visitor = await newUser(browser, 'zh-CN');
  await visitor.page.goto(url);
  const visitorPoll = visitor.page.getByTestId('poll').first();
  await expect(visitorPoll.getByTestId('poll-voters')).toHaveText('1 人已投票');
  await expect(visitorPoll).toContainText('登录后即可投票。');
  await box.getByLabel('Caption line').fill('欢迎新来的朋友');
  await box.getByLabel('Caption line').press('Enter');
  await expect(visitor.page.getByTestId('live-captions')).toContainText('欢迎新来的朋友');
  await expectAccessible(visitor.page, 'broadcast page with captions and a poll, zh-CN visitor');

  // The host marks a chapter and closes the poll: closed for everyone, the vote stays.
  await host.page.getByLabel('Chapter title').fill('Résumé basics');
  await host.page.getByRole('button', { name: 'Mark chapter' }).click();
  await expect(host.page.getByRole('status').filter({ hasText: 'Marked “Résumé basics”' })).toBeVisible();
  await hostPoll.getByRole('button', { name: 'Close poll' }).click();
  await expect(viewerPoll.getByText('Closed')).toBeVisible();
  await expect(viewerPoll.getByTestId('poll-voters')).toHaveText('1 voted');
  await expectAccessible(host.page, 'broadcast page, host with captions, poll and chapters');

  // The captions page in Chinese lists the cues and the chapter, and serves the WebVTT tracks.
  const zhHost = await newUser(browser, 'zh-CN');
  await signIn(zhHost.page, 'employer@example.com');
  await zhHost.page.goto(`${broadcastPath}/captions`);
  await expect(zhHost.page.getByRole('heading', { level: 1 })).toContainText('字幕与章节');
  await expect(zhHost.page.locator('input[name="body"]').first()).toHaveValue('大家好，欢迎来到简历诊所');
  await expect(zhHost.page.locator('input[name="title"]').first()).toHaveValue('Résumé basics');
  await expectAccessible(zhHost.page, 'captions and chapters page, zh-CN host');
  const vtt = await (await zhHost.page.request.get(`${broadcastPath}/captions/en.vtt`)).text();
  expect(vtt).toMatch(/^WEBVTT\n\n[0-9a-f-]{36}\n\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\nWelcome to the résumé clinic &lt;live&gt;\n$/);

  for (const u of [host, viewer, captioner, visitor, zhHost]) await u.context.close();
});
