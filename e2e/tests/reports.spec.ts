import type { Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { acceptHostInvitation, expect, expectAccessible, newUser, shanghaiWallTime, signIn, test } from './fixtures.ts';

const FAIR = /Spring Breeze Graduates Cloud Fair/;

/** RFC 4180 rows (quotes, doubled quotes, commas and line breaks inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

async function download(page: Page, testId: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFile((await file.path())!, 'utf8');
}

async function openFairConsole(page: Page) {
  await page.goto('/organizer');
  await page.getByRole('link', { name: FAIR }).first().click();
  await page.waitForURL(/\/organizer\/fairs\/[0-9a-f-]{36}$/);
}

test('the organizer watches a number change live, and downloads report tables as CSV', async ({ browser }) => {
  const organizer = await newUser(browser);
  await signIn(organizer.page, 'organizer@example.com');
  await openFairConsole(organizer.page);
  await organizer.page.getByRole('link', { name: 'Live dashboard' }).click();
  await organizer.page.waitForURL(/\/live$/);
  const waiting = organizer.page.getByTestId('dash-waiting');
  await expect(waiting).toHaveText(/^\d+$/);
  const before = Number(await waiting.textContent());

  // Green Fields' recruiter goes on duty; a seeker joins the line.
  const recruiter = await newUser(browser);
  await signIn(recruiter.page, 'employer2@example.com');
  await recruiter.page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await recruiter.page.getByRole('link', { name: /Visit booth: .*Green Fields/ }).click();
  await recruiter.page.waitForURL(/\/booths\//);
  const boothUrl = recruiter.page.url();
  await recruiter.page.getByRole('button', { name: 'Go on duty' }).click();
  await expect(recruiter.page.getByText('On duty', { exact: true })).toBeVisible();

  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(boothUrl);
  await expect(organizer.page.getByTestId('dash-people')).not.toHaveText('0');
  await seeker.page.getByRole('button', { name: 'Join the line' }).click();
  await expect(seeker.page.getByTestId('queue-place')).toBeVisible();

  // The dashboard moves by itself: no reload.
  await expect(waiting).toHaveText(String(before + 1));
  const row = organizer.page.getByTestId('dash-booths').getByRole('row', { name: /Green Fields/ });
  await expect(row.getByTestId('booth-waiting')).toHaveText(/^[1-9]\d*$/);
  // The recruiter sees how well the seeker fits Green Fields' jobs.
  await expect(recruiter.page.getByTestId('staff-match').first()).toContainText(/Match \d+%/);
  await expectAccessible(organizer.page, 'live dashboard');

  // The report: tables with CSV downloads that spreadsheets read, Chinese included.
  await organizer.page.getByRole('link', { name: 'Report', exact: true }).click();
  await organizer.page.waitForURL(/\/report$/);
  await expect(organizer.page.getByRole('heading', { name: /Report: .*Spring Breeze/, level: 1 })).toBeVisible();
  await expect(organizer.page.getByTestId('total-visited')).not.toHaveText('0');
  await expectAccessible(organizer.page, 'fair report');

  const jobsCsv = await download(organizer.page, 'csv-demand-jobs');
  expect(jobsCsv.startsWith('\uFEFF')).toBe(true);
  expect(jobsCsv).toContain('\r\n');
  const jobs = parseCsv(jobsCsv.slice(1));
  expect(jobs[0]).toEqual(['Employer', 'Job', 'Headcount', 'Location', 'Job type', 'Salary from', 'Salary to', 'Currency', 'Skills']);
  expect(jobs).toHaveLength(1 + 6);
  expect(jobs.find((r) => r[1] === '前端工程师 Frontend Engineer')).toEqual([
    expect.stringContaining('Xinghe'),
    '前端工程师 Frontend Engineer',
    '3',
    '杭州 Hangzhou',
    'Full-time',
    '12000',
    '20000',
    'CNY',
    'TypeScript、Svelte、CSS',
  ]);

  const funnel = parseCsv((await download(organizer.page, 'csv-funnel')).slice(1));
  expect(funnel[0]!.slice(0, 5)).toEqual(['Booth', 'Visited', 'Joined the line', 'Interviewed', 'Given an outcome']);
  expect(funnel.map((r) => r[0])).toEqual(['Booth', expect.any(String), expect.any(String), expect.any(String), 'Whole fair']);
  const greenFields = funnel.find((r) => /Green Fields/.test(r[0]!))!;
  expect(Number(greenFields[1])).toBeGreaterThanOrEqual(1); // visited
  expect(Number(greenFields[2])).toBeGreaterThanOrEqual(1); // joined the line

  // Other roles may not download the organizer's tables.
  const refused = await seeker.page.request.get(organizer.page.url() + '/funnel.csv', { maxRedirects: 0 });
  expect(refused.status()).toBe(403);

  // The employer reads its own booth's report.
  await recruiter.page.goto('/employer');
  // Booths in the order they need staffing: the live fair's before the demo data's past fair's
  // (other specs may have added fairs too, so only their relative order is checked).
  await expect(recruiter.page.locator('#booths li.booth').first()).toBeVisible();
  const fairTitles = await recruiter.page.locator('#booths li.booth .fair-title').allTextContents();
  const liveIndex = fairTitles.findIndex((t) => t.includes('Spring Breeze'));
  expect(liveIndex).toBeGreaterThanOrEqual(0);
  expect(fairTitles.findIndex((t) => t.includes('Private Enterprise Recruitment Month'))).toBeGreaterThan(liveIndex);
  await recruiter.page.getByRole('link', { name: /^Report\b.*Spring Breeze/ }).click();
  await expect(recruiter.page.getByRole('heading', { name: /Booth report: .*Green Fields/ })).toBeVisible();
  await expectAccessible(recruiter.page, 'booth report');
  const boothFunnel = parseCsv((await download(recruiter.page, 'csv-funnel')).slice(1));
  expect(boothFunnel.find((r) => r[0] === 'Joined the line')?.[1]).toMatch(/^[1-9]\d*$/);

  await seeker.page.getByRole('button', { name: 'Leave the line' }).click();
  await seeker.context.close();
  await recruiter.context.close();
  await organizer.context.close();
});

test('a seeker sees jobs ranked by fit with reasons and the salary chart', async ({ browser }) => {
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.getByRole('link', { name: 'My matches' }).click();
  await seeker.page.waitForURL(/\/matches$/);
  const items = seeker.page.getByTestId('matches').getByRole('listitem');
  await expect(items).toHaveCount(6);
  // The demo graduate (TypeScript, CSS, SQL; 8,000-13,000; Hangzhou or Zunyi; full-time or internship).
  await expect(items.first()).toContainText('Frontend Engineer');
  await expect(items.first().getByTestId('match-reason')).toHaveText(
    '2 of 3 skills, salary partly within your range, in a place you chose, a job type you want',
  );
  await expect(items.nth(1)).toContainText('QA Engineer');
  await expect(items.first().getByRole('link', { name: /Frontend Engineer/ })).toHaveAttribute('href', /^\/jobs\/[0-9a-f-]{36}$/);

  // The chart is drawn in the browser; its table alternative has the same numbers.
  await expect(seeker.page.getByTestId('salary-chart')).toHaveAttribute('data-drawn', 'true');
  await seeker.page.getByText('Show as a table').click();
  const table = seeker.page.getByTestId('salary-table');
  await expect(table.getByRole('row', { name: /Your expectation/ })).toContainText('8,000');
  await expect(table.getByRole('row', { name: /Frontend Engineer/ })).toContainText('20,000');
  await expectAccessible(seeker.page, 'matches with salary chart');
  await seeker.context.close();
});

test('the match reasons and the chart read in Chinese', async ({ browser }) => {
  const seeker = await newUser(browser, 'zh-CN');
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto('/matches');
  await expect(seeker.page.getByRole('heading', { name: '适合您的岗位', level: 1 })).toBeVisible();
  await expect(seeker.page.getByTestId('match-reason').first()).toHaveText('3 项技能中符合 2 项，薪资与您的期望部分重合，地点符合，工作类型符合');
  await expect(seeker.page.getByTestId('salary-chart')).toHaveAttribute('data-drawn', 'true');
  await expectAccessible(seeker.page, 'matches in Chinese');
  await seeker.context.close();
});

test('a broadcast’s viewers show on the live dashboard, and its report has the numbers, the chart table and CSV', async ({ browser }) => {
  const title = `Policy Q&A report ${Date.now()}`;
  const organizer = await newUser(browser);
  await signIn(organizer.page, 'organizer@example.com');

  // A published broadcast of the demo fair, on now, hosted by the demo employer.
  await organizer.page.goto('/organizer/broadcasts');
  const form = organizer.page.locator('#new-broadcast');
  await form.getByLabel('Title', { exact: true }).fill(title);
  await form.getByLabel('Topic', { exact: true }).selectOption('policy_qa');
  await form.getByLabel('Part of a fair (optional)').selectOption({ label: '春风行动 · 高校毕业生云聘会 Spring Breeze Graduates Cloud Fair' });
  await form.getByLabel('Starts', { exact: true }).fill(shanghaiWallTime(Date.now() - 5 * 60_000));
  await form.getByLabel('Ends', { exact: true }).fill(shanghaiWallTime(Date.now() + 3600_000));
  await form.getByLabel("Hosts' emails", { exact: true }).fill('employer@example.com');
  await form.getByRole('button', { name: 'Create broadcast' }).click();
  const row = organizer.page.getByRole('listitem').filter({ has: organizer.page.getByRole('link', { name: title }) });
  await row.getByRole('button', { name: 'Publish' }).click();
  await expect(organizer.page.getByRole('status').filter({ hasText: 'Broadcast published.' })).toBeVisible();
  await row.getByRole('link', { name: title, exact: true }).click();
  await organizer.page.waitForURL(/\/broadcasts\/[0-9a-f-]{36}$/);
  const broadcastUrl = organizer.page.url();

  // The organizer watches the fair's live dashboard: the broadcast is listed with nobody watching.
  await openFairConsole(organizer.page);
  await organizer.page.getByRole('link', { name: 'Live dashboard' }).click();
  await organizer.page.waitForURL(/\/live$/);
  const liveCell = organizer.page
    .getByTestId('dash-broadcasts')
    .getByRole('row', { name: new RegExp(title) })
    .getByTestId('broadcast-live');
  await expect(liveCell).toHaveText('0');

  // A seeker watches: the dashboard moves by itself.
  const seeker = await newUser(browser);
  await signIn(seeker.page, 'seeker@example.com');
  await seeker.page.goto(broadcastUrl);
  await seeker.page.getByRole('button', { name: 'Watch' }).click();
  await expect(seeker.page.getByTestId('broadcast-viewers')).toHaveText('1 watching');
  await expect(liveCell).toHaveText('1');
  await expectAccessible(organizer.page, 'live dashboard with broadcasts');

  // The report, from the organizer's list of broadcasts; the 5 s series shows the viewer once sampled.
  await organizer.page.goto('/organizer/broadcasts');
  await organizer.page
    .getByRole('listitem')
    .filter({ has: organizer.page.getByRole('link', { name: title, exact: true }) })
    .getByRole('link', { name: /^Audience report/ })
    .click();
  await organizer.page.waitForURL(/\/broadcasts\/[0-9a-f-]{36}\/report$/);
  await expect(organizer.page.getByRole('heading', { name: `Broadcast report: ${title}`, level: 1 })).toBeVisible();
  await expect(async () => {
    await organizer.page.reload();
    // The table sits in a closed <details> until opened: look for the cell, not its role.
    await expect(organizer.page.getByTestId('viewers-chart-table').locator('td', { hasText: /^1$/ }).first()).toBeAttached({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });

  // The seeker stops watching; the report has the whole view.
  await seeker.page.getByRole('button', { name: 'Stop watching' }).click();
  await organizer.page.reload();
  await expect(organizer.page.getByTestId('br-peak')).toHaveText('1');
  await expect(organizer.page.getByTestId('br-views')).toHaveText('1');
  await expect(organizer.page.getByTestId('br-unique')).toHaveText('1');
  await expect(organizer.page.getByTestId('br-watch-total')).toHaveText(/^0:0\d:\d\d$/);
  await expect(organizer.page.getByTestId('br-watch-total')).not.toHaveText('0:00:00');
  await expect(organizer.page.getByTestId('viewers-chart')).toHaveAttribute('data-drawn', 'true');
  await organizer.page.getByText('Show as a table').click();
  await expect(organizer.page.getByTestId('viewers-chart-table').getByRole('row').nth(1)).toBeVisible();
  await expectAccessible(organizer.page, 'broadcast report');

  const summary = parseCsv((await download(organizer.page, 'csv-summary')).slice(1));
  expect(summary[0]).toEqual(['Measure', 'Value']);
  expect(summary.slice(1, 4)).toEqual([
    ['Peak viewers', '1'],
    ['Views', '1'],
    ['Unique viewers', '1'],
  ]);
  const samplesCsv = await download(organizer.page, 'csv-samples');
  expect(samplesCsv.startsWith('\uFEFF')).toBe(true);
  const samples = parseCsv(samplesCsv.slice(1));
  expect(samples[0]).toEqual([expect.stringMatching(/^Time \(.+\)$/), 'Time (UTC)', 'Live viewers']);
  expect(samples.length).toBeGreaterThan(1);
  for (const r of samples.slice(1)) {
    expect(r[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(Number.isNaN(Date.parse(r[1]!))).toBe(false);
    expect(r[2]).toMatch(/^[01]$/);
  }
  expect(samples.slice(1).some((r) => r[2] === '1')).toBe(true);
  // Times are 5 s apart, in order.
  const times = samples.slice(1).map((r) => Date.parse(r[1]!));
  expect(times.every((t, i) => t % 5000 === 0 && (i === 0 || t > times[i - 1]!))).toBe(true);

  // The host reads it from the broadcast's page; another employer and the seeker may not.
  const host = await newUser(browser);
  await signIn(host.page, 'employer@example.com');
  await acceptHostInvitation(host.page, 'employer@example.com', title);
  await host.page.goto(broadcastUrl);
  await host.page.getByTestId('broadcast-report-link').click();
  await expect(host.page.getByTestId('br-views')).toHaveText('1');
  const reportUrl = host.page.url();
  expect((await seeker.page.request.get(reportUrl, { maxRedirects: 0 })).status()).toBe(403);
  expect((await seeker.page.request.get(`${reportUrl}/samples.csv`, { maxRedirects: 0 })).status()).toBe(403);
  await expect(seeker.page.getByTestId('broadcast-report-link')).toHaveCount(0);
  const other = await newUser(browser);
  await signIn(other.page, 'employer2@example.com');
  expect((await other.page.request.get(`${reportUrl}/summary.csv`, { maxRedirects: 0 })).status()).toBe(403);

  for (const u of [other, host, seeker, organizer]) await u.context.close();
});
