import { expect, expectAccessible, expectMediaFlowing, hostGoesLive, inboundTotals, newUser, signIn, test } from './fixtures.ts';

test('a host goes live; viewers watch, are counted, and can switch to audio only', async ({ browser }) => {
  // The longest journey of the suite (two reconnects, a stage guest, dwell-counted anonymous viewers);
  // a hang guard for a loaded 2-core machine, not a speed check.
  test.setTimeout(300_000);
  // The named host accepts the mailed invitation, opens the page and goes live with camera and microphone.
  const { host, url } = await hostGoesLive(browser, `Resume clinic live ${Date.now()}`);
  await expect(host.page.getByTestId('broadcast-viewers')).toHaveText('0 watching');

  // A signed-in seeker presses Watch: frames decode and audio arrives.
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(url);
  await seeker.page.getByRole('button', { name: 'Watch' }).click();
  await expectMediaFlowing(seeker.page);
  await expect(seeker.page.getByTestId('broadcast-viewers')).toHaveText('1 watching');

  // An anonymous visitor watches too: everyone reads 2.
  const visitor = await newUser(browser);
  // Keeps the page's WebSockets, so the test can cut the signaling connection like a network drop.
  await visitor.context.addInitScript(() => {
    const Native = window.WebSocket;
    const all: WebSocket[] = ((window as unknown as { __sockets: WebSocket[] }).__sockets = []);
    window.WebSocket = class extends Native {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        all.push(this);
      }
    } as typeof WebSocket;
  });
  await visitor.page.goto(url);
  await visitor.page.getByRole('button', { name: 'Watch' }).click();
  await expectMediaFlowing(visitor.page);
  await expect(seeker.page.getByTestId('broadcast-viewers')).toHaveText('2 watching');
  await expect(host.page.getByTestId('broadcast-viewers')).toHaveText('2 watching');
  await expect(visitor.page.getByTestId('broadcast-viewers')).toHaveText('2 watching');
  await expectAccessible(seeker.page, 'broadcast page, viewer, live');
  await expectAccessible(host.page, 'broadcast page, host, live');

  // A lower quality switches to the lowest simulcast layer (a quarter of the 1280-wide camera)
  // and keeps the picture. Automatic gets a higher layer first (which one depends on the load).
  const width = () => seeker.page.getByTestId('broadcast-video').evaluate((v: HTMLVideoElement) => v.videoWidth);
  await expect.poll(width, { timeout: 20_000 }).toBeGreaterThanOrEqual(640);
  await seeker.page.getByLabel('Video quality').selectOption({ label: 'Low (saves data)' });
  await expect.poll(width, { timeout: 20_000 }).toBe(320);
  await expectMediaFlowing(seeker.page);

  // Audio only: video frames stop, audio keeps arriving.
  await seeker.page.getByLabel('Audio only (for weak networks)').check();
  await expect(seeker.page.getByText('Audio only: the video is off to save data.')).toBeVisible();
  await seeker.page.waitForTimeout(1000);
  const before = await inboundTotals(seeker.page);
  await seeker.page.waitForTimeout(2000);
  const after = await inboundTotals(seeker.page);
  expect(after.framesDecoded - before.framesDecoded, 'no video frames in audio-only mode').toBeLessThanOrEqual(1);
  expect(after.audioSamples, 'audio keeps flowing').toBeGreaterThan(before.audioSamples);
  await expectAccessible(seeker.page, 'broadcast page, viewer, audio only');

  // Back to video.
  await seeker.page.getByLabel('Audio only (for weak networks)').uncheck();
  await expectMediaFlowing(seeker.page);

  // The seeker reloads and watches again: the same view, not a new one (within 30 s).
  await expect(host.page.getByTestId('broadcast-views')).toHaveText('2');
  await expect(host.page.getByTestId('broadcast-peak')).toHaveText('2');
  await seeker.page.reload();
  await seeker.page.getByRole('button', { name: 'Watch' }).click();
  await expectMediaFlowing(seeker.page);
  await expect(seeker.page.getByTestId('broadcast-viewers')).toHaveText('2 watching');
  await host.page.waitForTimeout(5500);
  await expect(host.page.getByTestId('broadcast-views')).toHaveText('2');

  // The visitor's connection drops: the page reconnects, joins again with new transports and gets
  // the stream back without a reload; within 30 s it is still the same view.
  const sockets = () => visitor.page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.length);
  const socketsBefore = await sockets();
  await visitor.page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)!.close());
  await expect.poll(sockets, { timeout: 30_000 }).toBeGreaterThan(socketsBefore);
  await expect(visitor.page.getByTestId('broadcast-viewers')).toHaveText('2 watching', { timeout: 30_000 });
  await expectMediaFlowing(visitor.page);
  await host.page.waitForTimeout(5500);
  await expect(host.page.getByTestId('broadcast-views')).toHaveText('2');

  // The visitor leaves: back to 1 everywhere.
  await visitor.context.close();
  await expect(seeker.page.getByTestId('broadcast-viewers')).toHaveText('1 watching');
  await expect(host.page.getByTestId('broadcast-viewers')).toHaveText('1 watching');

  // The seeker raises a hand; the host brings them on stage, sees and hears them, then sends them back.
  await seeker.page.getByRole('button', { name: 'Raise hand to ask a question' }).click();
  await expect(seeker.page.getByText('Your hand is raised. A host may bring you on stage.')).toBeVisible();
  await host.page.getByRole('button', { name: 'Bring 李明 Li Ming on stage' }).click();
  await seeker.page.getByRole('button', { name: 'Join the stage' }).click();
  await expect(seeker.page.getByRole('button', { name: 'Leave the stage' })).toBeVisible();
  await expect(host.page.getByTestId('stage-tile')).toHaveCount(1);
  await expectMediaFlowing(host.page);
  await expectAccessible(host.page, 'broadcast page, host, guest on stage');
  await host.page.getByRole('button', { name: 'Send 李明 Li Ming back' }).click();
  await expect(seeker.page.getByText('You are back in the audience.')).toBeVisible();
  await expect(host.page.getByTestId('stage-tile')).toHaveCount(0);
  await expectMediaFlowing(seeker.page);

  // Ending the stream tells the viewer.
  await host.page.getByRole('button', { name: 'End live stream' }).click();
  await expect(seeker.page.getByText('The host is not live right now. Stay on this page: the stream starts here.')).toBeVisible();

  await seeker.context.close();
  await host.context.close();
});
