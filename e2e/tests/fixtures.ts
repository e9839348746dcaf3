import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'fairground-demo';

declare global {
  interface Window {
    __peerConnections?: RTCPeerConnection[];
  }
}

/**
 * Records every RTCPeerConnection the page makes, so tests can read real inbound-rtp stats.
 * Test-only instrumentation: the app itself exposes nothing.
 */
export async function trackPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.__peerConnections = [];
    class Tracked extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        window.__peerConnections!.push(this);
      }
    }
    window.RTCPeerConnection = Tracked as typeof RTCPeerConnection;
  });
}

export interface InboundTotals {
  framesDecoded: number;
  audioSamples: number;
  audioPackets: number;
}

/** Sums inbound-rtp counters over the page's peer connections. */
export function inboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(async () => {
    const totals = { framesDecoded: 0, audioSamples: 0, audioPackets: 0 };
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((report: Record<string, unknown>) => {
        if (report.type !== 'inbound-rtp') return;
        if (report.kind === 'video') totals.framesDecoded += Number(report.framesDecoded ?? 0);
        if (report.kind === 'audio') {
          totals.audioSamples += Number(report.totalSamplesReceived ?? 0);
          totals.audioPackets += Number(report.packetsReceived ?? 0);
        }
      });
    }
    return totals;
  });
}

/** Inbound counters per stream (peer connection and stats id): decoded video frames, audio samples. */
function inboundByStream(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const counts: Record<string, number> = {};
    for (const [i, pc] of (window.__peerConnections ?? []).entries()) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type !== 'inbound-rtp') return;
        counts[`${String(r.kind)}:${i}:${String(r.id)}`] = Number((r.kind === 'video' ? r.framesDecoded : r.totalSamplesReceived) ?? 0);
      });
    }
    return counts;
  });
}

/**
 * Passes only while media keeps arriving: decoded frames and audio samples must grow, over at least
 * 1.5 s and at most 10 s. Counted per stream, over the streams there at the end (a stream new since
 * the start counts from zero): after a rejoin the old peer connection closes a moment later, and its
 * count leaving the sum is not media stopping. The window stretches because a connection made just
 * now starts at a low bitrate and frame rate (a loaded CI machine decoded 4 frames in the first
 * 1.5 s after a worker's death), which is media arriving, not stopped.
 */
export async function expectMediaFlowing(page: Page, { audio = true } = {}): Promise<void> {
  await expect.poll(async () => (await inboundTotals(page)).framesDecoded, { timeout: 20_000 }).toBeGreaterThan(0);
  const first = await inboundByStream(page);
  await page.waitForTimeout(1500);
  const grown = async (kind: string) =>
    Object.entries(await inboundByStream(page))
      .filter(([id]) => id.startsWith(`${kind}:`))
      .reduce((sum, [id, n]) => sum + n - (first[id] ?? 0), 0);
  const within = { timeout: 8500, intervals: [250] };
  await expect.poll(() => grown('video'), { message: 'video frames keep being decoded', ...within }).toBeGreaterThan(5);
  if (audio) await expect.poll(() => grown('audio'), { message: 'audio samples keep arriving', ...within }).toBeGreaterThan(0);
}

/**
 * The SRTP protection profile negotiated over DTLS (RTCTransportStats.srtpCipher), one entry per
 * connected transport of the page's peer connections.
 */
export function srtpCiphers(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const ciphers: string[] = [];
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      stats.forEach((report: Record<string, unknown>) => {
        if (report.type === 'transport' && typeof report.srtpCipher === 'string') ciphers.push(report.srtpCipher);
      });
    }
    return ciphers;
  });
}

/**
 * What Chromium and our worker should agree on: AEAD_AES_256_GCM, which Chromium reports under its
 * DTLS-SRTP profile name. Chromium (the DTLS client: mediasoup-client makes the browser the
 * client) offers AES_CM_128_HMAC_SHA1_80 first, then the GCM suites; the worker is the DTLS
 * server, and OpenSSL picks by the server's order, which puts AEAD_AES_256_GCM first
 * (worker/src/RTC/DtlsTransport.cpp).
 */
export const EXPECTED_SRTP_CIPHER = 'SRTP_AEAD_AES_256_GCM';

/** Every connected transport of the page uses the expected SRTP suite. */
export async function expectSrtpCipher(page: Page, expected = EXPECTED_SRTP_CIPHER): Promise<void> {
  await expect.poll(async () => (await srtpCiphers(page)).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const ciphers = await srtpCiphers(page);
  expect(ciphers, 'negotiated SRTP suite of every connected transport').toEqual(ciphers.map(() => expected));
}

/**
 * Waits until the page has hydrated (the root layout marks `html[data-hydrated]`): a click before
 * that is lost on a socket-driven button, or posts an enhanced form natively.
 */
export function hydrated(page: Page): Promise<void> {
  return page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`/sign-in`);
  await page.getByLabel(/Email|邮箱/).fill(email);
  await page.getByLabel(/Password|密码/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Sign in|登录/ }).click();
  await expect(page.getByText(/Signed in as|已登录/)).toBeVisible();
}

export async function newUser(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, permissions: ['camera', 'microphone'] });
  await trackPeerConnections(context);
  return { context, page: await context.newPage() };
}

/** The seeker (on the booth's page) joins its line and is told they are next. */
export async function joinLine(seeker: Page): Promise<void> {
  await seeker.getByRole('button', { name: 'Join the line' }).click();
  await expect(seeker.getByTestId('queue-place')).toContainText('You are next');
}

/** The recruiter calls the next seeker, who accepts: both pages land in the interview room (its path). */
export async function callIntoInterview(recruiter: Page, seeker: Page): Promise<string> {
  await recruiter.getByRole('button', { name: 'Call next' }).click();
  await seeker
    .getByRole('alertdialog', { name: /A recruiter is calling you/ })
    .getByRole('button', { name: 'Accept and join' })
    .click();
  await seeker.waitForURL(/\/interviews\//);
  await recruiter.waitForURL(/\/interviews\//);
  return new URL(seeker.url()).pathname;
}

/** One of an employer's staff signs in and opens their booth in the live demo fair. */
export async function staffAtBooth(browser: Browser, email: string, booth: RegExp): Promise<{ context: BrowserContext; page: Page; boothUrl: string }> {
  const staff = await newUser(browser);
  await signIn(staff.page, email);
  await staff.page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await staff.page.getByRole('link', { name: booth }).click();
  await staff.page.waitForURL(/\/booths\//);
  return { ...staff, boothUrl: staff.page.url() };
}

/** A recruiter signs in, opens their booth in the live demo fair and goes on duty. */
export async function recruiterOnDuty(browser: Browser, email: string, booth: RegExp): Promise<{ context: BrowserContext; page: Page; boothUrl: string }> {
  const recruiter = await staffAtBooth(browser, email, booth);
  await recruiter.page.getByRole('button', { name: 'Go on duty' }).click();
  await expect(recruiter.page.getByText('On duty', { exact: true })).toBeVisible();
  return recruiter;
}

/** Fails listing every axe violation on the page as it is now. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`),
    `axe on ${label}`,
  ).toEqual([]);
}

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * The platform's mail, as its capture wrote it (no SMTP_URL: one JSON file per message under
 * DATA_DIR/mail; DATA_DIR is set in e2e/playwright.config.ts), oldest first.
 */
export function capturedMail(): CapturedMail[] {
  const dir = join(process.env.E2E_DATA_DIR ?? '', 'mail');
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CapturedMail);
}

/**
 * The newest link to `path` (`/verify-email`, `/reset-password`, `/invitations`) mailed to an
 * address, as a path with its query, for page.goto; waits for the mail to arrive.
 */
export async function mailedLink(to: string, path: string, mentioning = ''): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const mail = capturedMail()
          .filter((m) => m.to === to.toLowerCase() && m.text.includes(path) && m.text.includes(mentioning))
          .at(-1);
        link = mail?.text.match(new RegExp(`https?://\\S*${path}\\S*`))?.[0];
        return link ?? null;
      },
      { message: `a mail to ${to} with a ${path} link`, timeout: 10_000 },
    )
    .not.toBeNull();
  const url = new URL(link!);
  return `${url.pathname}${url.search}`;
}

/**
 * A named co-host accepts the invitation mailed for a broadcast (co-hosts become hosts only on
 * accepting). `page` is signed in as the invited address.
 */
export async function acceptHostInvitation(page: Page, email: string, broadcastTitle: string): Promise<void> {
  await page.goto(await mailedLink(email, '/invitations', broadcastTitle));
  await page.getByRole('button', { name: /Accept the invitation|接受邀请/ }).click();
  await expect(page).not.toHaveURL(/\/invitations\//);
}

/** The wall-clock time in Shanghai of an instant, as datetime-local takes it (seconds optional). */
export function shanghaiWallTime(ms: number, seconds = false): string {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(new Date(ms));
  return text.replace(' ', 'T');
}

/** An organizer schedules a published broadcast that is on now, hosted by the demo employer. */
export async function liveBroadcast(organizer: Page, title: string): Promise<string> {
  await organizer.goto('/organizer/broadcasts');
  const form = organizer.locator('#new-broadcast');
  await form.getByLabel('Title', { exact: true }).fill(title);
  await form.getByLabel('Topic', { exact: true }).selectOption('resume_clinic');
  await form.getByLabel('Starts', { exact: true }).fill(shanghaiWallTime(Date.now() - 5 * 60_000));
  await form.getByLabel('Ends', { exact: true }).fill(shanghaiWallTime(Date.now() + 3600_000));
  await form.getByLabel("Hosts' emails", { exact: true }).fill('employer@example.com');
  await form.getByRole('button', { name: 'Create broadcast' }).click();
  const row = organizer.getByRole('listitem').filter({ has: organizer.getByRole('link', { name: title }) });
  await row.getByRole('button', { name: 'Publish' }).click();
  await expect(organizer.getByRole('status').filter({ hasText: 'Broadcast published.' })).toBeVisible();
  await row.getByRole('link', { name: title, exact: true }).click();
  await organizer.waitForURL(/\/broadcasts\/[0-9a-f-]{36}$/);
  return organizer.url();
}

/**
 * The organizer schedules a broadcast that is on now (`liveBroadcast`), and its named host (the demo
 * employer) accepts the mailed invitation, opens it and goes live with camera and microphone.
 */
export async function hostGoesLive(browser: Browser, title: string): Promise<{ host: { context: BrowserContext; page: Page }; url: string }> {
  const organizer = await newUser(browser);
  await signIn(organizer.page, 'organizer@example.com');
  const url = await liveBroadcast(organizer.page, title);
  await organizer.context.close();
  const host = await newUser(browser);
  await signIn(host.page, 'employer@example.com');
  await acceptHostInvitation(host.page, 'employer@example.com', title);
  await host.page.goto(url);
  await host.page.getByRole('button', { name: 'Go live' }).click();
  await expect(host.page.getByRole('button', { name: 'End live stream' })).toBeVisible();
  return { host, url };
}

/** Opens the confirmation link mailed to a new account and confirms: the account is signed in. */
export async function confirmEmail(page: Page, email: string): Promise<void> {
  await page.goto(await mailedLink(email, '/verify-email'));
  await page.getByRole('button', { name: /Confirm my email|确认我的邮箱/ }).click();
  await expect(page.getByText(/Signed in as|已登录/)).toBeVisible();
}

/**
 * Every test fails if any page it opened reported a Content-Security-Policy violation (Chromium
 * logs each refused script, style, image, media or connection as a console error).
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ browser, context }, use) => {
      const seen: string[] = [];
      const watch = (ctx: BrowserContext) =>
        ctx.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) seen.push(`${message.page()?.url() ?? ''}: ${message.text()}`);
        });
      watch(context);
      const original = browser.newContext.bind(browser);
      browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
        const created = await original(...args);
        watch(created);
        return created;
      };
      await use(seen);
      browser.newContext = original;
      expect(seen, 'CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };
