import { expect, expectAccessible, expectMediaFlowing, expectSrtpCipher, newUser, recruiterOnDuty, signIn, test } from './fixtures.ts';

test('a seeker queues, is called, and both sides see and hear each other in the interview', async ({ browser }) => {
  // The recruiter (Shunda Logistics' owner) opens the booth and goes on duty.
  const { boothUrl, ...recruiter } = await recruiterOnDuty(browser, 'employer3@example.com', /Visit booth: .*Shunda/);

  // The seeker joins the line and sees their place.
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await seeker.page.getByRole('button', { name: 'Join the line' }).click();
  await expect(seeker.page.getByTestId('queue-place')).toContainText('You are next');
  await expect(recruiter.page.getByTestId('stat-waiting')).toHaveText('1');
  await expectAccessible(seeker.page, 'booth page, seeker in line');
  await expectAccessible(recruiter.page, 'booth page, recruiter on duty');
  await expect(recruiter.page.getByText('1. 李明 Li Ming')).toBeVisible();
  // Other specs (booked slots) interview at this booth today too: count on from the line's snapshot,
  // which has arrived now that it shows the seeker (the duty ack's figures are zeros).
  const todayBefore = Number(await recruiter.page.getByTestId('stat-interviews-today').textContent());

  // The recruiter calls; the seeker gets an alert and accepts; both land in the interview room.
  await recruiter.page.getByRole('button', { name: 'Call next' }).click();
  const dialog = seeker.page.getByRole('alertdialog', { name: /A recruiter is calling you/ });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Accept and join' }).click();
  await seeker.page.waitForURL(/\/interviews\//);
  await recruiter.page.waitForURL(/\/interviews\//);
  expect(new URL(seeker.page.url()).pathname).toBe(new URL(recruiter.page.url()).pathname);

  // Real media both ways: frames decoded and audio samples arriving on each side.
  await expectMediaFlowing(seeker.page);
  await expectMediaFlowing(recruiter.page);
  await expectSrtpCipher(seeker.page);
  await expectSrtpCipher(recruiter.page);

  // The seeker shares their screen (Chromium's fake capture); the recruiter decodes its frames.
  await seeker.page.getByRole('button', { name: 'Share screen' }).click();
  const screen = recruiter.page.getByLabel(/Screen shared by/);
  await expect(screen).toBeVisible();
  const framesOf = () => screen.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
  await expect.poll(framesOf, { timeout: 20_000 }).toBeGreaterThan(5);
  const before = await framesOf();
  await expect.poll(framesOf, { timeout: 10_000 }).toBeGreaterThan(before);
  await seeker.page.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(screen).toHaveCount(0);

  await expect(seeker.page.getByTestId('interview-timer')).toContainText('left');
  await expect(recruiter.page.getByTestId('interview-timer')).toContainText('left');
  await expectAccessible(seeker.page, 'interview room, seeker');
  await expectAccessible(recruiter.page, 'interview room with assessment, recruiter');

  // Chat reaches the other side (the fallback when video fails).
  await seeker.page.getByLabel('Message').fill('Does this job pay social insurance? <b>yes?</b>');
  await seeker.page.getByRole('button', { name: 'Send' }).click();
  await expect(recruiter.page.getByText('Does this job pay social insurance? <b>yes?</b>')).toBeVisible();

  // The recruiter assesses and ends the interview.
  await recruiter.page.getByLabel('Notes').fill('Clear communicator; knows the city well.');
  await recruiter.page.getByLabel('4 of 4').check();
  await recruiter.page.getByLabel('Outcome', { exact: true }).selectOption('next_round');
  await recruiter.page.getByLabel('Share the outcome with the candidate').check();
  await recruiter.page.getByRole('button', { name: 'Save assessment' }).click();
  await expect(recruiter.page.getByText('Saved.')).toBeVisible();
  await recruiter.page.getByRole('button', { name: 'End interview' }).click();
  await expect(seeker.page.getByText('This interview has ended.')).toBeVisible();

  // The seeker sees the shared outcome; the booth's funnel counts one visit and one interview.
  await seeker.page.goto('/interviews');
  await expect(seeker.page.getByText('Next round')).toBeVisible();
  await expectAccessible(seeker.page, 'interview history');
  await recruiter.page.goto(boothUrl);
  await expect(recruiter.page.getByTestId('stat-interviews-today')).toHaveText(String(todayBefore + 1));
  // Visits and interviews count seekers, and other specs (booked slots, integrations) bring other
  // seekers to this booth: the conversion shown must be the interviewed over the visited shown.
  const stat = async (id: string) => Number(await recruiter.page.getByTestId(id).textContent());
  await expect.poll(() => stat('stat-interviewed')).toBeGreaterThanOrEqual(1);
  const [interviewed, visited] = [await stat('stat-interviewed'), await stat('stat-visited')];
  expect(visited).toBeGreaterThanOrEqual(interviewed);
  await expect(recruiter.page.getByTestId('stat-conversion')).toHaveText(`${Math.round((interviewed / visited) * 100)}%`);

  await seeker.context.close();
  await recruiter.context.close();
});
