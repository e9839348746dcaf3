import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  callIntoInterview,
  capturedMail,
  confirmEmail,
  expect,
  expectAccessible,
  expectMediaFlowing,
  hydrated,
  inboundTotals,
  joinLine,
  mailedLink,
  newUser,
  recruiterOnDuty,
  shanghaiWallTime,
  signIn,
  test,
} from './fixtures.ts';

/**
 * Issue 15 through the pages: a recruiter seats a panel (a colleague and an interpreter; nobody is
 * offered past four people), drops the interview to audio only, and after a fair ends a seeker answers its
 * survey once and the organizer's report shows the answer. The integration tests
 * (test/handoffs.test.ts, test/hiring-funnel.test.ts) prove the rules; this proves the pages.
 */
const SEEKER = '李明 Li Ming';
const OWNER = '王芳 Wang Fang';
const COLLEAGUE = '赵强 Zhao Qiang';
const INTERPRETER = '陈静 Chen Jing';

type Messages = Record<string, string>;
const zh = JSON.parse(readFileSync(new URL('../../web/messages/handoffs/zh-CN.json', import.meta.url), 'utf8')) as Messages;
const fill = (text: string | undefined, values: Record<string, string | number> = {}) =>
  (text ?? '«missing»').replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? `{${k}}`));

/** A link to `path` in a mail to `to` that was not in the mailbox when `before` was taken. */
async function newMailedLink(to: string, path: string, before: Set<string>): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const mail = capturedMail()
          .filter((m) => m.to === to.toLowerCase() && m.text.includes(path) && !before.has(m.text))
          .at(-1);
        link = mail?.text.match(new RegExp(`https?://\\S*${path}\\S*`))?.[0];
        return link ?? null;
      },
      { message: `a new mail to ${to} with a ${path} link`, timeout: 10_000 },
    )
    .not.toBeNull();
  const url = new URL(link!);
  return `${url.pathname}${url.search}`;
}
const mailbox = () => new Set(capturedMail().map((m) => m.text));

/** Frames rendered so far by each camera tile of the page (every video but the self-view), by its label. */
function tileFrames(page: Page): Promise<Array<{ label: string; frames: number }>> {
  return page
    .locator('video:not([aria-label="You"])')
    .evaluateAll((videos: HTMLVideoElement[]) =>
      videos
        .filter((v) => v.srcObject instanceof MediaStream && v.srcObject.getVideoTracks().length > 0)
        .map((v) => ({ label: v.getAttribute('aria-label') ?? '', frames: v.getVideoPlaybackQuality().totalVideoFrames })),
    );
}

/** Live video tracks behind the page's self-view: the camera is capturing. */
function liveCameraTracks(page: Page): Promise<number> {
  return page
    .getByLabel('You', { exact: true })
    .evaluate((v: HTMLVideoElement) => (v.srcObject instanceof MediaStream ? v.srcObject.getVideoTracks().filter((t) => t.readyState === 'live').length : 0));
}

/** How bright each camera tile's current frame is (mean of R+G+B over a small copy, 0-765), by its label. */
function tileLight(page: Page): Promise<Array<{ label: string; light: number }>> {
  return page.locator('video:not([aria-label="You"])').evaluateAll((videos: HTMLVideoElement[]) =>
    videos
      .filter((v) => v.srcObject instanceof MediaStream && v.srcObject.getVideoTracks().length > 0)
      .map((v) => {
        const canvas = document.createElement('canvas');
        canvas.width = 32;
        canvas.height = 18;
        const g = canvas.getContext('2d', { willReadFrequently: true })!;
        g.drawImage(v, 0, 0, 32, 18);
        const px = g.getImageData(0, 0, 32, 18).data;
        let sum = 0;
        for (let i = 0; i < px.length; i += 4) sum += px[i]! + px[i + 1]! + px[i + 2]!;
        return { label: v.getAttribute('aria-label') ?? '', light: sum / (px.length / 4) };
      }),
  );
}

const video = (name: string) => `Video from ${name}`;
/** The people around the table, and whose camera each page's main tile plays (the other side's). */
const OTHERS = {
  seeker: { main: OWNER, others: [OWNER, COLLEAGUE, INTERPRETER] },
  owner: { main: SEEKER, others: [SEEKER, COLLEAGUE, INTERPRETER] },
  colleague: { main: SEEKER, others: [SEEKER, OWNER, INTERPRETER] },
  interpreter: { main: SEEKER, others: [SEEKER, OWNER, COLLEAGUE] },
} as const;

/** One tile per other person, named for them, the other side's camera the main one, and every tile keeps playing. */
async function expectTilesPlaying(page: Page, who: keyof typeof OTHERS): Promise<void> {
  const { main, others } = OTHERS[who];
  const labels = async () => (await tileFrames(page)).map((t) => t.label).sort();
  await expect.poll(labels, { message: `${who}: a camera tile for each other person`, timeout: 20_000 }).toEqual(others.map(video).sort());
  await expect(page.getByTestId('remote-video')).toHaveAttribute('aria-label', video(main));
  await expect.poll(async () => (await tileFrames(page)).every((t) => t.frames > 5), { message: `${who}: every tile has frames`, timeout: 20_000 }).toBe(true);
  const first = await tileFrames(page);
  await expect
    .poll(async () => (await tileFrames(page)).every((t, i) => t.frames > first[i]!.frames), { message: `${who}: every tile keeps playing`, timeout: 10_000 })
    .toBe(true);
}

test('a recruiter seats a colleague and an interpreter (nobody is offered past four), everyone sees the panel, then drops to audio only', async ({
  browser,
}) => {
  // Five browsers, four of them in one interview with media, and axe: longer than one journey's guard on 2 shared cores.
  test.setTimeout(480_000);
  const run = Date.now().toString(36);

  // Xinghe's owner goes on duty; the team gets three colleagues: two demo employers and a new account.
  const { boothUrl, ...owner } = await recruiterOnDuty(browser, 'employer@example.com', /Visit booth: .*Xinghe/);
  const newcomerEmail = `panel-${run}@example.com`;
  const newcomerName = `孙磊 Sun Lei ${run}`;
  const newcomer = await newUser(browser);
  await newcomer.page.goto('/sign-up');
  await newcomer.page.getByLabel('Your name').fill(newcomerName);
  await newcomer.page.getByLabel('Email', { exact: true }).fill(newcomerEmail);
  await newcomer.page.getByLabel('Password', { exact: true }).fill('panel password');
  await newcomer.page.getByRole('button', { name: 'Create account', exact: true }).click();
  await expect(newcomer.page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  await confirmEmail(newcomer.page, newcomerEmail);

  const team = await owner.context.newPage();
  await team.goto('/employer');
  await hydrated(team);
  const colleague = await newUser(browser);
  const interpreter = await newUser(browser);
  for (const [person, email] of [
    [colleague, 'employer2@example.com'],
    [interpreter, 'employer3@example.com'],
    [newcomer, newcomerEmail],
  ] as const) {
    // Other specs invite the same demo employers: only this invitation's mail is the one to open.
    const before = mailbox();
    await team.locator('#team').getByLabel("Recruiter's email").fill(email);
    await team.locator('#team').getByRole('button', { name: 'Send invitation' }).click();
    await expect(team.locator('#team').getByRole('status')).toContainText(email);
    if (person !== newcomer) await signIn(person.page, email);
    await person.page.goto(await newMailedLink(email, '/invitations', before));
    await person.page.getByRole('button', { name: 'Accept the invitation' }).click();
    await expect(person.page).toHaveURL(/\/employer/);
  }
  // The two who will be invited wait on the booth's page (not on duty: the seeker is the owner's).
  for (const person of [colleague, interpreter]) {
    await person.page.goto(boothUrl);
    await hydrated(person.page);
    await expect(person.page.getByRole('button', { name: 'Go on duty' })).toBeVisible();
  }

  // The seeker queues; the owner calls them; both are in the interview.
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await hydrated(seeker.page);
  await joinLine(seeker.page);
  const interviewPath = await callIntoInterview(owner.page, seeker.page);
  await expectMediaFlowing(seeker.page);
  await expect(seeker.page.getByTestId('interview-panel')).toHaveCount(0);

  // The owner invites the colleague as a recruiter and the other as the interpreter; each is told on
  // the booth's page and joins from there.
  const handoff = owner.page.getByRole('region', { name: 'Hand off' });
  const invite = async (name: string, role: 'Recruiter' | 'Interpreter') => {
    await handoff.getByLabel('Invite into the interview').selectOption({ label: name });
    await handoff.getByLabel('As', { exact: true }).selectOption({ label: role });
    await handoff.getByRole('button', { name: 'Invite', exact: true }).click();
  };
  for (const [person, name, role] of [
    [colleague, COLLEAGUE, 'Recruiter'],
    [interpreter, INTERPRETER, 'Interpreter'],
  ] as const) {
    if (name === INTERPRETER) {
      // The seated colleague is no longer offered; the interpreter and the newcomer are.
      const offered = handoff.getByLabel('Invite into the interview').locator('option');
      await expect(offered.filter({ hasText: COLLEAGUE })).toHaveCount(0);
      await expect(offered.filter({ hasText: INTERPRETER })).toHaveCount(1);
      await expect(offered.filter({ hasText: newcomerName })).toHaveCount(1);
    }
    await invite(name, role);
    await expect(seeker.page.getByTestId('interview-panel')).toContainText(`${name} (${role})`);
    const notice = person.page.getByRole('status').filter({ hasText: `${OWNER} invited you into an interview as ${role}.` });
    await notice.getByRole('link', { name: 'Join the interview' }).click();
    await person.page.waitForURL(/\/interviews\//);
    expect(new URL(person.page.url()).pathname).toBe(interviewPath);
    await expect(person.page.getByRole('heading', { level: 1, name: `Interview with ${SEEKER}` })).toBeVisible();
  }
  // Four people: nobody more is offered, the form says why (the server refuses a fifth as well,
  // PANEL_FULL: test/handoffs.test.ts).
  await expect(handoff.getByTestId('panel-full')).toHaveText('This interview already has 4 people.');
  await expect(handoff.getByLabel('Invite into the interview')).toHaveCount(0);

  // Everyone sees the same panel of two beside the seeker and the recruiter, and nobody else.
  const panelText = `${COLLEAGUE} (Recruiter) · ${INTERPRETER} (Interpreter)`;
  for (const page of [seeker.page, owner.page, colleague.page, interpreter.page]) {
    await expect(page.getByTestId('interview-panel')).toContainText(panelText);
    await expect(page.getByTestId('interview-panel')).not.toContainText(newcomerName);
  }
  // Four people: each page plays the three others' cameras (one tile each) beside its own view.
  await expectMediaFlowing(colleague.page);
  await expectMediaFlowing(interpreter.page);
  const everyone = [
    [seeker.page, 'seeker'],
    [owner.page, 'owner'],
    [colleague.page, 'colleague'],
    [interpreter.page, 'interpreter'],
  ] as const;
  for (const [page, who] of everyone) {
    await expectTilesPlaying(page, who);
    await expect(page.getByLabel('You', { exact: true })).toBeVisible();
  }

  // The colleague's tile named for the seeker is the seeker's camera: when only the seeker turns
  // theirs off (a paused camera sends black frames), that tile goes dark and the other two stay lit.
  const lit = async () => (await tileLight(colleague.page)).map((t) => ({ label: t.label, lit: t.light > 20 })).sort((a, b) => a.label.localeCompare(b.label));
  const expected = (seekerLit: boolean) =>
    OTHERS.colleague.others.map((name) => ({ label: video(name), lit: name !== SEEKER || seekerLit })).sort((a, b) => a.label.localeCompare(b.label));
  await expect.poll(lit, { timeout: 10_000 }).toEqual(expected(true));
  await seeker.page.getByRole('button', { name: 'Camera off' }).click();
  await expect.poll(lit, { message: "only the seeker's tile goes dark", timeout: 10_000 }).toEqual(expected(false));
  await seeker.page.getByRole('button', { name: 'Camera on' }).click();
  await expect.poll(async () => (await lit()).every((t) => t.lit), { timeout: 10_000 }).toBe(true);

  await expectAccessible(seeker.page, 'interview room with a panel, seeker');
  await expectAccessible(owner.page, 'interview room with a panel and a refused invitation, recruiter');
  await expectAccessible(colleague.page, 'interview room, panel member');

  // Audio only: every camera stops on every side, the camera button is disabled and says why, and
  // voices keep arriving; the interview goes on.
  // The seeker is sharing their screen when it happens: the share ends on their page too.
  await seeker.page.getByRole('button', { name: 'Share screen' }).click();
  await expect(seeker.page.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
  await handoff.getByRole('button', { name: 'Audio only' }).click();
  await expect(handoff.getByRole('button', { name: 'Turn video back on' })).toHaveAttribute('aria-pressed', 'true');
  for (const [page, who] of everyone) {
    await expect(page.getByRole('status').filter({ hasText: 'Audio only: cameras are off for everyone.' })).toBeVisible();
    await expect(page.getByRole('button', { name: /^Camera (off|on)$/ })).toBeDisabled();
    // The server refuses every video in audio only: a screen share cannot start either.
    await expect(page.getByRole('button', { name: 'Share screen' })).toBeDisabled();
    await expect.poll(async () => (await tileFrames(page)).length, { message: `${who}: no camera tile left` }).toBe(0);
    // Their own camera is off too (not only unsent): no live video track behind the self-view.
    await expect.poll(() => liveCameraTracks(page), { message: `${who}: own camera stopped` }).toBe(0);
    const before = await inboundTotals(page);
    await page.waitForTimeout(1500);
    const after = await inboundTotals(page);
    expect(after.framesDecoded, `${who}: no video frames decoded`).toBeLessThanOrEqual(before.framesDecoded);
    expect(after.audioSamples, `${who}: audio samples keep arriving`).toBeGreaterThan(before.audioSamples);
    await expect(page.getByTestId('interview-timer')).toContainText('left');
    await expect(page.getByText('This interview has ended.')).toHaveCount(0);
  }
  await expectAccessible(seeker.page, 'interview room in audio only, seeker');

  // Video back on: every camera opens again and every page plays the three others once more.
  await handoff.getByRole('button', { name: 'Turn video back on' }).click();
  for (const [page, who] of everyone) {
    await expect(page.getByRole('status').filter({ hasText: 'Audio only: cameras are off for everyone.' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Camera off' })).toBeEnabled();
    await expectTilesPlaying(page, who);
  }

  // The owner ends it; the team is as the demo had it again.
  await owner.page.getByRole('button', { name: 'End interview' }).click();
  await expect(seeker.page.getByText('This interview has ended.')).toBeVisible();
  await team.goto('/employer');
  await hydrated(team);
  for (const name of [COLLEAGUE, INTERPRETER, newcomerName]) {
    await team
      .locator('#team')
      .getByRole('button', { name: new RegExp(`Remove.*${name}`) })
      .click();
    await expect(team.locator('#team').getByRole('listitem').filter({ hasText: name })).toHaveCount(0);
  }
  await Promise.all([owner.context.close(), colleague.context.close(), interpreter.context.close(), newcomer.context.close(), seeker.context.close()]);
});

test('after a fair ends, a seeker answers its survey once (a second send is refused), an employer in Chinese on a phone too, and the report shows both', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const run = Date.now().toString(36);
  const title = `Survey fair ${run}`;

  // The organizer makes a fair that is on now (it opens by the clock once published) and invites Xinghe.
  const organizer = await newUser(browser);
  await signIn(organizer.page, 'organizer@example.com');
  await organizer.page.goto('/organizer');
  const form = organizer.page.locator('#new-fair');
  await form.getByLabel('Title', { exact: true }).fill(title);
  await form.getByLabel('Theme', { exact: true }).selectOption('graduates');
  await form.getByLabel('Starts', { exact: true }).fill(shanghaiWallTime(Date.now() - 5 * 60_000));
  await form.getByLabel('Ends', { exact: true }).fill(shanghaiWallTime(Date.now() + 3 * 3600_000));
  await form.getByRole('button', { name: 'Create fair' }).click();
  await organizer.page.waitForURL(/\/organizer\/fairs\/[0-9a-f-]{36}\?created/);
  const fairUrl = organizer.page.url().replace(/\?.*$/, '');
  const fairId = fairUrl.split('/').pop()!;
  await organizer.page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(organizer.page.getByText('Status changed to “Upcoming”.')).toBeVisible();
  const employerSelect = organizer.page.getByLabel('Employer', { exact: true });
  await employerSelect.selectOption((await employerSelect.locator('option', { hasText: 'Xinghe' }).getAttribute('value'))!);
  await organizer.page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(organizer.page.getByRole('status').filter({ hasText: 'Invitation sent.' })).toBeVisible();
  await expect(async () => {
    await organizer.page.goto(fairUrl);
    await expect(organizer.page.getByText('Visitors can walk the booths now.', { exact: false })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // Xinghe's owner opens the booth and goes on duty; the seeker joins its line and leaves it.
  const owner = await newUser(browser);
  await signIn(owner.page, 'employer@example.com');
  await owner.page.goto('/employer');
  await hydrated(owner.page);
  await owner.page.getByRole('button', { name: new RegExp(`Accept and open booth.*${title}`) }).click();
  await expect(owner.page.getByRole('status').filter({ hasText: 'Your booth is open.' })).toBeVisible();
  await owner.page.getByRole('link', { name: new RegExp(`Open booth / go live.*${title}`) }).click();
  await owner.page.waitForURL(/\/booths\//);
  const boothUrl = owner.page.url();
  await hydrated(owner.page);
  await owner.page.getByRole('button', { name: 'Go on duty' }).click();
  await expect(owner.page.getByText('On duty', { exact: true })).toBeVisible();
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await hydrated(seeker.page);
  await joinLine(seeker.page);
  await seeker.page.getByRole('button', { name: 'Leave the line' }).click();
  await expect(seeker.page.getByRole('button', { name: 'Join the line' })).toBeVisible();
  await owner.context.close();

  // Before the end the survey is not open; the organizer ends the fair.
  await seeker.page.goto(`/fairs/${fairId}/survey`);
  await expect(seeker.page.getByText('The survey opens when the fair has ended, for those who took part.')).toBeVisible();
  await organizer.page.goto(fairUrl);
  organizer.page.once('dialog', (dialog) => void dialog.accept());
  await organizer.page.getByRole('button', { name: 'End the fair', exact: true }).click();
  await expect(organizer.page.getByText('Status changed to “Ended”.')).toBeVisible();

  // The clock mails the seeker the survey; the fair's page asks for it too.
  const link = await mailedLink('seeker@example.com', `/fairs/${fairId}/survey`);
  expect(link).toBe(`/fairs/${fairId}/survey`);
  await seeker.page.goto(`/fairs/${fairId}`);
  await expect(seeker.page.getByRole('status').filter({ hasText: 'The fair has ended: tell us how it went.' })).toBeVisible();
  await seeker.page.getByRole('link', { name: 'Take the survey' }).click();
  await seeker.page.waitForURL(new RegExp(`${link}$`));
  await hydrated(seeker.page);
  // A second tab opened before answering: its send comes second.
  const second = await seeker.context.newPage();
  await second.goto(link);
  await hydrated(second);
  await expectAccessible(seeker.page, 'survey, en');

  await seeker.page.getByLabel('4 of 5').check();
  await seeker.page.getByLabel('What should we keep, and what should we change?').fill('The video interviews saved me a trip. More booths, please.');
  await seeker.page.getByRole('button', { name: 'Send my answer' }).click();
  await expect(seeker.page.getByRole('status').filter({ hasText: 'Thank you: your answer is recorded.' })).toContainText('Your answer: 4 of 5.');
  await second.getByLabel('2 of 5').check();
  await second.getByRole('button', { name: 'Send my answer' }).click();
  await expect(second.getByRole('alert')).toHaveText('You have answered this survey already.');
  await expectAccessible(second, 'survey, a second answer refused');
  await second.reload();
  await expect(second.getByRole('status').filter({ hasText: 'Thank you: your answer is recorded.' })).toContainText('Your answer: 4 of 5.');
  await expect(seeker.page.getByRole('button', { name: 'Send my answer' })).toHaveCount(0);

  // An employer of the fair, in Chinese on a 375 px phone: the same page fits and answers.
  const employer = await newUser(browser, 'zh-CN');
  await signIn(employer.page, 'employer@example.com');
  await employer.page.setViewportSize({ width: 375, height: 812 });
  await employer.page.goto(link);
  await hydrated(employer.page);
  await expect(employer.page.getByRole('heading', { level: 1, name: fill(zh.survey_title, { fair: title }) })).toBeVisible();
  await expect(employer.page.getByRole('group', { name: zh.survey_default_rating })).toBeVisible();
  await expectAccessible(employer.page, 'survey, zh-CN, 375 px');
  expect(await employer.page.evaluate(() => document.documentElement.scrollWidth), 'nothing past the edge at 375 px').toBeLessThanOrEqual(375);
  await employer.page.getByLabel(fill(zh.survey_rating_value, { value: 5 })).check();
  await employer.page.getByLabel(zh.survey_default_comment!).fill('候选人很多，网络稳定。');
  await employer.page.getByRole('button', { name: zh.survey_submit }).click();
  await expect(employer.page.getByRole('status').filter({ hasText: zh.survey_thanks! })).toContainText(fill(zh.survey_your_answer, { value: 5 }));
  await expectAccessible(employer.page, 'survey answered, zh-CN, 375 px');
  expect(await employer.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // The organizer's report lists both answers (no names) and the averages by respondent.
  await organizer.page.goto(`/organizer/fairs/${fairId}/report`);
  const summary = organizer.page.getByTestId('table-survey');
  await expect(summary.getByRole('row').filter({ hasText: 'Job seekers' }).locator('td')).toHaveText(['1', '4.00']);
  await expect(summary.getByRole('row').filter({ hasText: 'Employers' }).locator('td')).toHaveText(['1', '5.00']);
  const answers = organizer.page.getByTestId('table-survey-answers');
  await expect(answers.getByRole('row').filter({ hasText: 'Job seekers' }).locator('td')).toHaveText([
    'Job seekers',
    '4',
    'The video interviews saved me a trip. More booths, please.',
  ]);
  await expect(answers.getByRole('row').filter({ hasText: '候选人很多' }).locator('td')).toHaveText(['Employers', '5', '候选人很多，网络稳定。']);
  await expect(answers).not.toContainText('Li Ming');
  await expectAccessible(organizer.page, 'fair report with survey answers');
  await Promise.all([organizer.context.close(), seeker.context.close(), employer.context.close()]);
});
