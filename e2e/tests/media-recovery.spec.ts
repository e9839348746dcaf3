import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { expect, expectMediaFlowing, hostGoesLive, newUser, recruiterOnDuty, signIn, test } from './fixtures.ts';

/** Where a run may keep screenshots of the recovery notices (E2E_SCREENSHOTS=dir), to look at them. */
async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  await page.getByTestId('media-recovery').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${dir}/${name}.png` });
}

/** The platform's mediasoup worker pids, from /metrics (open without METRICS_TOKEN, as in development). */
async function workerPids(page: Page): Promise<number[]> {
  const text = await (await page.request.get('/metrics')).text();
  return [...text.matchAll(/^fairground_media_worker_pid\{worker="\d+"\} (\d+)$/gm)].map((m) => Number(m[1]));
}

/**
 * The pid of the mediasoup worker at the other end of the page's live media connection that
 * sends (`send`) or receives (`recv`): the selected ICE pair's remote port, and the process
 * listening on it (each worker has its own WebRtcServer port). Finds a broadcast's origin (where
 * the host publishes) and a viewer's edge without asking the server.
 */
async function workerServing(page: Page, direction: 'send' | 'recv'): Promise<number> {
  const remote = await page.evaluate(async (dir) => {
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats: Record<string, unknown>[] = [];
      (await pc.getStats()).forEach((r: Record<string, unknown>) => stats.push(r));
      if (!stats.some((r) => r.type === (dir === 'send' ? 'outbound-rtp' : 'inbound-rtp'))) continue;
      const pair = stats.find((r) => r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded');
      const candidate = stats.find((r) => r.id === pair?.remoteCandidateId);
      if (candidate) return { port: Number(candidate.port), protocol: String(candidate.protocol) };
    }
    return null;
  }, direction);
  expect(remote, `a connected ${direction} transport`).not.toBeNull();
  const out = execFileSync('ss', ['-Hanp', remote!.protocol === 'tcp' ? '-t' : '-u', `sport = :${remote!.port}`], { encoding: 'utf8' });
  const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
  expect(pid, `the process on ${remote!.protocol} port ${remote!.port}`).toBeGreaterThan(0);
  return pid;
}

/** Frames decoded on peer connections the page opened after the first `since` ones. */
function framesOnNewConnections(page: Page, since: number): Promise<number> {
  return page.evaluate(async (n) => {
    let frames = 0;
    for (const pc of (window.__peerConnections ?? []).slice(n)) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += Number(r.framesDecoded ?? 0);
      });
    }
    return frames;
  }, since);
}

test('the mediasoup worker under a live booth is killed: the viewer sees the stream again without reloading', async ({ browser }) => {
  const employer = await newUser(browser);
  await signIn(employer.page, 'employer@example.com');
  await employer.page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await employer.page.getByRole('link', { name: /Visit booth: .*Xinghe/ }).click();
  await employer.page.waitForURL(/\/booths\//);
  const boothUrl = employer.page.url();
  await employer.page.getByRole('button', { name: 'Go live' }).click();
  await expect(employer.page.getByRole('button', { name: 'End broadcast' })).toBeVisible();

  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await expectMediaFlowing(seeker.page);

  // The worker the employer publishes to (with several workers, not necessarily the first).
  const pid = await workerServing(employer.page, 'send');
  const connectionsBefore = await seeker.page.evaluate(() => window.__peerConnections?.length ?? 0);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const seekerRecovery = seeker.page.getByTestId('media-recovery');
  const restoring = seekerRecovery
    .getByText('Restoring video…')
    .waitFor({ timeout: 5000 })
    .then(() => shot(seeker.page, 'booth-viewer-restoring-desktop'))
    .catch(() => console.log('[chaos] booth: "Restoring video…" came and went before a screenshot'));

  // The server replaces the worker and resets the room; the employer's page republishes its
  // camera and the seeker's receives it on a new connection: frames decode again. The time is
  // printed for the record (docs/RELIABILITY.md); the poll's limit is only a hang guard.
  await expect.poll(() => framesOnNewConnections(seeker.page, connectionsBefore), { timeout: 15_000, intervals: [200] }).toBeGreaterThan(0);
  const recoveredMs = Date.now() - killedAt;
  console.log(`[chaos] booth media back ${recoveredMs} ms after its worker was killed`);
  await restoring;
  // Both pages say so ("Video restored"), for a moment.
  await expect(seekerRecovery).toHaveText('Video restored');
  await expect(employer.page.getByTestId('media-recovery')).toHaveText('Video restored');
  await shot(seeker.page, 'booth-viewer-restored-desktop');
  expect(await workerPids(seeker.page)).not.toContain(pid);
  await expectMediaFlowing(seeker.page);
  // Nobody reloaded: still the same pages, still live.
  await expect(employer.page.getByRole('button', { name: 'End broadcast' })).toBeVisible();

  await seeker.context.close();
  await employer.context.close();
});

test('the mediasoup worker under a 1:1 interview is killed: both sides see each other again without reloading', async ({ browser }) => {
  const { boothUrl, ...recruiter } = await recruiterOnDuty(browser, 'employer2@example.com', /Visit booth: .*Green/);

  // The seeker is on a phone-sized screen (the recruiter's page is a desktop one).
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.setViewportSize({ width: 390, height: 844 });
  await seeker.page.goto(boothUrl);
  await seeker.page.getByRole('button', { name: 'Join the line' }).click();
  await recruiter.page.getByRole('button', { name: 'Call next' }).click();
  await seeker.page
    .getByRole('alertdialog', { name: /A recruiter is calling you/ })
    .getByRole('button', { name: 'Accept and join' })
    .click();
  await seeker.page.waitForURL(/\/interviews\//);
  await recruiter.page.waitForURL(/\/interviews\//);
  await expectMediaFlowing(seeker.page);
  await expectMediaFlowing(recruiter.page);

  const pid = await workerServing(seeker.page, 'send');
  const before = await Promise.all([seeker.page, recruiter.page].map((p) => p.evaluate(() => window.__peerConnections?.length ?? 0)));
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');

  // Each side rejoins the reset room, publishes its camera again and receives the other's.
  await Promise.all(
    [seeker.page, recruiter.page].map((page, i) =>
      expect.poll(() => framesOnNewConnections(page, before[i]!), { timeout: 15_000, intervals: [200] }).toBeGreaterThan(0),
    ),
  );
  console.log(`[chaos] interview media back on both sides ${Date.now() - killedAt} ms after its worker was killed`);
  await Promise.all([seeker.page, recruiter.page].map((page) => expect(page.getByTestId('media-recovery')).toHaveText('Video restored')));
  await shot(seeker.page, 'interview-seeker-restored-mobile');
  await shot(recruiter.page, 'interview-recruiter-restored-desktop');
  await expectMediaFlowing(seeker.page);
  await expectMediaFlowing(recruiter.page);
  await expect(seeker.page.getByTestId('interview-timer')).toContainText('left');

  await recruiter.page.getByRole('button', { name: 'End interview' }).click();
  await expect(seeker.page.getByText('This interview has ended.')).toBeVisible();
  await seeker.context.close();
  await recruiter.context.close();
});

test('the mediasoup worker under a broadcast is killed: the host stays live and the viewer watches again without reloading', async ({ browser }) => {
  test.setTimeout(240_000);
  const { host, url } = await hostGoesLive(browser, `Worker death live ${Date.now()}`);

  // The viewer watches on a phone-sized screen (the host's page is a desktop one).
  const viewer = await newUser(browser);
  await signIn(viewer.page, 'seeker@example.com');
  await viewer.page.setViewportSize({ width: 390, height: 844 });
  await viewer.page.goto(url);
  await viewer.page.getByRole('button', { name: 'Watch' }).click();
  await expectMediaFlowing(viewer.page);
  const hostRecovery = host.page.getByTestId('media-recovery');
  const viewerRecovery = viewer.page.getByTestId('media-recovery');
  await expect(viewerRecovery).toHaveText('');

  // The origin: the worker the host publishes to. With one worker it is every viewer's edge too.
  const origin = await workerServing(host.page, 'send');
  const edge = await workerServing(viewer.page, 'recv');
  const before = await viewer.page.evaluate(() => window.__peerConnections?.length ?? 0);
  const killedAt = Date.now();
  process.kill(origin, 'SIGKILL');

  // Both pages say the video is being restored (caught for the screenshots when it lasts long
  // enough to see), then that it is back; the viewer decodes frames on a new connection.
  const restoring = Promise.all([
    viewerRecovery
      .getByText('Restoring video…')
      .waitFor({ timeout: 5000 })
      .then(() => shot(viewer.page, 'broadcast-viewer-restoring-mobile')),
    hostRecovery
      .getByText('Restoring video…')
      .waitFor({ timeout: 5000 })
      .then(() => shot(host.page, 'broadcast-host-restoring-desktop')),
  ]).catch(() => console.log('[chaos] broadcast: "Restoring video…" came and went before a screenshot'));
  await expect.poll(() => framesOnNewConnections(viewer.page, before), { timeout: 15_000, intervals: [200] }).toBeGreaterThan(0);
  console.log(
    `[chaos] broadcast (origin worker killed${origin === edge ? ", the viewer's edge too" : ''}) media back on the viewer ${Date.now() - killedAt} ms after`,
  );
  await restoring;
  await expect(viewerRecovery).toHaveText('Video restored');
  await expect(hostRecovery).toHaveText('Video restored');
  await shot(viewer.page, 'broadcast-viewer-restored-mobile');
  await shot(host.page, 'broadcast-host-restored-desktop');
  await expectMediaFlowing(viewer.page);
  // Nobody reloaded: the host is still live, and the notice goes away by itself.
  await expect(host.page.getByRole('button', { name: 'End live stream' })).toBeVisible();
  await expect(viewerRecovery).toHaveText('', { timeout: 10_000 });

  // An edge that is not the origin (with MEDIA_WORKERS ≥ 2, a second viewer is placed on the
  // less-loaded worker): killing it resets only its viewers, the host never notices.
  const second = await newUser(browser);
  await second.page.goto(url);
  await second.page.getByRole('button', { name: 'Watch' }).click();
  await expectMediaFlowing(second.page, { audio: true });
  const newOrigin = await workerServing(host.page, 'send');
  const viewers = [viewer, second];
  const edges = await Promise.all(viewers.map((v) => workerServing(v.page, 'recv')));
  const onEdge = edges.findIndex((pid) => pid !== newOrigin);
  if (onEdge < 0) {
    console.log('[chaos] broadcast: every viewer receives from the origin worker (MEDIA_WORKERS=1): no separate edge to kill');
  } else {
    const target = viewers[onEdge]!;
    const hostConnections = await host.page.evaluate(() => window.__peerConnections?.length ?? 0);
    const sinceEdge = await target.page.evaluate(() => window.__peerConnections?.length ?? 0);
    const edgeKilledAt = Date.now();
    process.kill(edges[onEdge]!, 'SIGKILL');
    await expect.poll(() => framesOnNewConnections(target.page, sinceEdge), { timeout: 15_000, intervals: [200] }).toBeGreaterThan(0);
    console.log(`[chaos] broadcast (edge worker killed) media back on its viewer ${Date.now() - edgeKilledAt} ms after`);
    await expect(target.page.getByTestId('media-recovery')).toHaveText('Video restored');
    // The host kept its connections and saw no notice.
    await expect(hostRecovery).toHaveText('');
    expect(await host.page.evaluate(() => window.__peerConnections?.length ?? 0)).toBe(hostConnections);
  }
  await expect(host.page.getByRole('button', { name: 'End live stream' })).toBeVisible();

  await second.context.close();
  await viewer.context.close();
  await host.context.close();
});
