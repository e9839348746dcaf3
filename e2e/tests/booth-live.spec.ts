import { expect, expectAccessible, expectMediaFlowing, expectSrtpCipher, newUser, signIn, staffAtBooth, test } from './fixtures.ts';

test('an employer goes live and seekers see, hear and are counted', async ({ browser }) => {
  const employer = await staffAtBooth(browser, 'employer@example.com', /Visit booth: .*Xinghe/);
  const { boothUrl } = employer;
  await expect(employer.page.getByText('You staff this booth')).toBeVisible();
  await employer.page.getByRole('button', { name: 'Go live' }).click();
  await expect(employer.page.getByRole('button', { name: 'End broadcast' })).toBeVisible();

  // A signed-in seeker opens the booth: the stream plays, frames decode, audio arrives.
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  const video = seeker.page.getByTestId('stage-video');
  await expect(video).toBeVisible();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await expectMediaFlowing(seeker.page);
  // The suite both ends chose over DTLS: the GCM one, on the viewer's and the publisher's side.
  await expectSrtpCipher(seeker.page);
  await expectSrtpCipher(employer.page);
  await expect(seeker.page.getByTestId('viewer-count')).toHaveText('1 watching');
  await expect(employer.page.getByTestId('viewer-count')).toHaveText('1 watching');
  await expectAccessible(seeker.page, 'booth page, seeker, live');
  await expectAccessible(employer.page, 'booth page, staff, live');

  // A second, anonymous visitor is counted (both pages read 2) but gets no booth media: booth
  // streams are for signed-in users; the page asks them to sign in.
  const visitor = await newUser(browser);
  await visitor.page.goto(boothUrl);
  await expect(visitor.page.getByText("Sign in to watch the booth's live stream.")).toBeVisible();
  await expect(visitor.page.getByTestId('stage-video')).toBeHidden();
  await expect(seeker.page.getByTestId('viewer-count')).toHaveText('2 watching');
  await expect(employer.page.getByTestId('viewer-count')).toHaveText('2 watching');

  // A second tab of the same visitor is the same viewer.
  const secondTab = await visitor.context.newPage();
  await secondTab.goto(boothUrl);
  await expect(secondTab.getByTestId('viewer-count')).toHaveText('2 watching');

  // The visitor leaves (both tabs): back to 1 everywhere.
  await visitor.context.close();
  await expect(seeker.page.getByTestId('viewer-count')).toHaveText('1 watching');
  await expect(employer.page.getByTestId('viewer-count')).toHaveText('1 watching');

  // Media keeps flowing to the remaining seeker; ending the broadcast stops it.
  await expectMediaFlowing(seeker.page);
  await employer.page.getByRole('button', { name: 'End broadcast' }).click();
  await expect(seeker.page.getByText('The booth is not live right now')).toBeVisible();

  await seeker.context.close();
  await employer.context.close();
});
