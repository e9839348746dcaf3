import { readFileSync } from 'node:fs';
import type { Browser } from '@playwright/test';
import { capturedMail, confirmEmail, expect, signIn, test, expectAccessible } from './fixtures.ts';

/**
 * The seeker's and the employer's side of a fair, in English and in Chinese (the browser's
 * language decides): an employer signs up with a new company, sets it up, posts jobs, applies for a
 * booth and invites a recruiter; the organizer approves the booth; the recruiter signs up and joins.
 * A seeker signs up, fills the profile with a PDF resume, and finds a job by search and by filter.
 * Every text is taken from the message files, so the test reads the pages as their users do, and
 * every page visited is checked with axe.
 */
type Messages = Record<string, string>;
const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Messages;
const messages = (locale: string): Messages => ({
  ...read(`../../web/messages/common/${locale}.json`),
  ...read(`../../web/messages/organizer/${locale}.json`),
  ...read(`../../web/messages/seeker/${locale}.json`),
  ...read(`../../web/messages/account/${locale}.json`),
});
const MESSAGES = { en: messages('en'), 'zh-CN': messages('zh-CN') };

/** The demo data (demo/src/seed.ts). */
const DEMO_FAIR = 'Spring Breeze Graduates Cloud Fair';
const RIDER_JOB = 'Delivery Rider (part-time)';
const COLD_CHAIN_JOB = 'Cold-chain Warehouse Intern';
const FRONTEND_JOB = 'Frontend Engineer';

/** A pattern matching the text literally (job titles have brackets). */
const literally = (text: string, prefix = false) => new RegExp(`${prefix ? '^' : ''}${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/** An accessible name made of these parts in order (hidden context may add spaces between them). */
const parts = (...texts: string[]) => new RegExp(`^${texts.map((t) => literally(t).source).join('.*')}`);

const unique = (what: string, locale: string) =>
  `${what}-${locale.toLowerCase()}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;

// Small real files, recognised by their first bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
function pdf(text: string): Buffer {
  const body = `1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n% ${text}\n`;
  return Buffer.from(`%PDF-1.4\n${body}trailer <</Root 1 0 R>>\n%%EOF\n`, 'latin1');
}

for (const locale of ['en', 'zh-CN'] as const) {
  const L = MESSAGES[locale];
  const fill = (key: string, values: Record<string, string> = {}) =>
    (L[key] ?? `«missing ${key}»`).replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);
  const newPage = async (browser: Browser) => {
    const context = await browser.newContext({ locale: locale === 'en' ? 'en-US' : 'zh-CN' });
    return { context, page: await context.newPage() };
  };

  test.describe(`seeker and employer (${locale})`, () => {
    test('an employer sets up a company, jobs and a booth; the organizer approves; an invited recruiter joins', async ({ browser }) => {
      // Two accounts now confirm their address from the mail on the way: more time on a busy machine.
      test.setTimeout(300_000);
      const token = Math.random().toString(36).slice(2, 7);
      const company = `Hexa Welding ${token}`;
      const ownerEmail = unique('owner', locale);
      const recruiterEmail = unique('recruiter', locale);

      // Sign up as an employer, from the sign-in page's link. Refusals appear under their fields.
      const owner = await newPage(browser);
      const page = owner.page;
      await page.goto('/sign-in');
      await page.getByRole('link', { name: fill('signin_create_account') }).click();
      await expect(page.getByRole('heading', { name: fill('signup_title') })).toBeVisible();
      await expectAccessible(page, 'sign-up');
      await page.getByRole('radio', { name: fill('signup_role_employer') }).check();
      await page.getByLabel(fill('signup_name')).fill('Owner <b>One</b>');
      await page.getByLabel(fill('email'), { exact: true }).fill(ownerEmail);
      await page.getByLabel(fill('password'), { exact: true }).fill('short');
      await page.getByRole('button', { name: fill('signup_button'), exact: true }).click();
      await expect(page.getByText(fill('error_password_short'))).toBeVisible();
      await expect(page.getByLabel(fill('signup_company'))).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel(fill('signup_name'))).toHaveValue('Owner <b>One</b>'); // kept as typed
      await expectAccessible(page, 'sign-up with errors');
      await page.getByLabel(fill('password'), { exact: true }).fill('a long enough password');
      await page.getByLabel(fill('signup_company')).fill(company);
      await page.getByRole('button', { name: fill('signup_button'), exact: true }).click();
      // The account signs in by confirming its address from the mail.
      await expect(page.getByRole('heading', { name: fill('acct_check_inbox_title') })).toBeVisible();
      await expectAccessible(page, 'sign-up: check your inbox');
      await confirmEmail(page, ownerEmail);

      // The console: complete the company profile and add a logo.
      await expect(page).toHaveURL(/\/employer/);
      await expect(page.getByRole('heading', { name: fill('console_title'), level: 1 })).toBeVisible();
      await expect(page.getByRole('link', { name: fill('nav_employer') })).toBeVisible();
      await expect(page.getByText(fill('company_incomplete'))).toBeVisible();
      await expectAccessible(page, 'employer console (new company)');
      const companySection = page.locator('#company');
      await companySection.getByLabel(fill('company_industry')).selectOption('manufacturing');
      await companySection.getByLabel(fill('company_size')).selectOption('50-199');
      await companySection.getByLabel(fill('company_location'), { exact: true }).fill('Foshan, Guangdong');
      await companySection.getByLabel(fill('company_description')).fill('<script>alert(1)</script> We weld steel frames.');
      await companySection.getByRole('button', { name: fill('company_save') }).click();
      await expect(companySection.getByRole('status')).toHaveText(fill('saved'));
      await expect(page.getByText(fill('company_incomplete'))).toBeHidden();
      await companySection.getByLabel(fill('logo_choose')).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
      await companySection.getByRole('button', { name: fill('logo_upload') }).click();
      await expect(companySection.getByRole('status')).toHaveText(fill('logo_saved'));
      await expect(companySection.getByRole('img', { name: fill('logo_alt', { name: company }) })).toBeVisible();

      // Two jobs; the first one is refused once for a salary range upside down.
      for (const job of [
        { title: `Welder ${token}`, type: 'full_time', min: '9000', max: '6000', skills: 'Welding, CAD', benefit: 'benefit_dormitory' },
        { title: `Weekend packer ${token}`, type: 'gig', min: '3000', max: '4500', skills: 'Packing', benefit: 'benefit_meals' },
      ]) {
        await page.getByRole('link', { name: fill('job_new') }).click();
        await expect(page.getByRole('heading', { name: fill('jobform_new_title'), level: 1 })).toBeVisible();
        await page.getByLabel(fill('job_title_label')).fill(job.title);
        await page.getByLabel(fill('job_type_label')).selectOption(job.type);
        await page.getByLabel(fill('job_location')).fill('Foshan');
        await page.getByLabel(fill('salary_min')).fill(job.min);
        await page.getByLabel(fill('salary_max')).fill(job.max);
        await page.getByLabel(fill('job_headcount')).fill('4');
        await page.getByLabel(fill('job_skills')).fill(job.skills);
        await page.getByRole('checkbox', { name: fill(job.benefit) }).check();
        await page.getByLabel(fill('job_description')).fill('Shifts of 8 hours.\n<i>Training</i> provided.');
        if (Number(job.min) > Number(job.max)) {
          await page.getByRole('button', { name: fill('job_create_button'), exact: true }).click();
          await expect(page.getByText(fill('error_salary_order'))).toBeVisible();
          await expect(page.getByLabel(fill('job_title_label'))).toHaveValue(job.title);
          await expectAccessible(page, 'new job with errors');
          await page.getByLabel(fill('salary_min')).fill('6000');
          await page.getByLabel(fill('salary_max')).fill('9000');
        } else {
          await expectAccessible(page, 'new job');
        }
        await page.getByRole('button', { name: fill('job_create_button'), exact: true }).click();
        await expect(page).toHaveURL(/\/employer\?/);
        await expect(
          page
            .getByRole('main')
            .getByRole('status')
            .filter({ hasText: fill('job_created') }),
        ).toBeVisible();
        await expect(page.locator('#jobs').getByRole('link', { name: job.title, exact: true })).toBeVisible();
      }

      // Edit a job, then look at its public page.
      await page
        .locator('#jobs')
        .getByRole('link', { name: `Welder ${token}`, exact: true })
        .click();
      await expect(page.getByRole('heading', { name: fill('jobform_edit_title'), level: 1 })).toBeVisible();
      await expect(page.getByLabel(fill('salary_min'))).toHaveValue('6000');
      await expectAccessible(page, 'edit job');
      await page.getByLabel(fill('job_headcount')).fill('5');
      await page.getByRole('button', { name: fill('job_save'), exact: true }).click();
      await expect(page.getByRole('main').getByRole('status')).toHaveText(fill('saved'));
      await page.getByRole('link', { name: fill('job_view_public') }).click();
      await expect(page.getByRole('heading', { name: `Welder ${token}`, level: 1 })).toBeVisible();
      await expect(page.getByText(fill('headcount', { count: '5' }))).toBeVisible();
      await expect(page.getByText(fill('benefit_dormitory'))).toBeVisible();
      await expect(page.getByText('<script>alert(1)</script> We weld steel frames.')).toBeVisible(); // HTML shown as text
      await expect(page.getByText(fill('jobpage_no_booth'))).toBeVisible();
      await expectAccessible(page, 'job page (owner)');
      await page.getByRole('link', { name: fill('job_edit_this') }).click();
      await page.getByRole('link', { name: fill('back_to_console') }).click();

      // Apply for a booth at the demo fair, and invite a recruiter.
      const booths = page.locator('#booths');
      const fairSelect = booths.getByLabel(fill('booth_apply_fair'));
      const demoFair = await fairSelect.locator('option', { hasText: DEMO_FAIR }).getAttribute('value');
      await fairSelect.selectOption(demoFair!);
      await booths.getByLabel(fill('booth_tagline')).fill('Welders wanted, dormitory provided');
      await booths.getByRole('button', { name: fill('booth_apply_button'), exact: true }).click();
      await expect(booths.getByRole('status')).toHaveText(fill('booth_applied'));
      await expect(booths.getByText(fill('booth_status_applied'), { exact: true })).toBeVisible();

      const team = page.locator('#team');
      await team.getByLabel(fill('invite_email')).fill('not an email');
      await team.getByRole('button', { name: fill('invite_button') }).click();
      await expect(team.getByText(fill('error_email'))).toBeVisible();
      await team.getByLabel(fill('invite_email')).fill(recruiterEmail.toUpperCase());
      await team.getByRole('button', { name: fill('invite_button') }).click();
      await expect(team.getByRole('status')).toHaveText(fill('invite_sent', { email: recruiterEmail }));
      await expect(team.getByText(recruiterEmail, { exact: true })).toBeVisible();
      await expectAccessible(page, 'employer console (set up)');

      // The organizer approves the application in the organizer console.
      const organizer = await newPage(browser);
      await signIn(organizer.page, 'organizer@example.com');
      await organizer.page.goto('/organizer');
      await organizer.page
        .getByRole('link', { name: literally(DEMO_FAIR) })
        .first()
        .click();
      await expect(organizer.page.getByRole('heading', { name: fill('org_pending_heading') })).toBeVisible();
      await expectAccessible(organizer.page, 'organizer fair page');
      await organizer.page.getByRole('button', { name: parts(fill('org_approve'), company) }).click();
      await expect(
        organizer.page
          .getByRole('main')
          .getByRole('status')
          .filter({ hasText: fill('org_application_approved') }),
      ).toBeVisible();
      await organizer.context.close();

      // The owner sees the booth approved, with the way in.
      await page.reload();
      await expect(booths.getByText(fill('booth_status_approved'), { exact: true })).toBeVisible();
      await expect(booths.getByRole('link', { name: literally(fill('booth_open'), true) })).toHaveAttribute('href', /^\/booths\//);
      await booths.getByLabel(fill('booth_tagline')).first().fill('Welders and packers wanted');
      await booths.getByRole('button', { name: literally(fill('booth_tagline_save'), true) }).click();
      await expect(booths.getByRole('status')).toHaveText(fill('saved'));

      // The recruiter signs up with the invited email (as a seeker), confirms it from the mail,
      // accepts and gets the console (only a confirmed address sees its invitations).
      const recruiter = await newPage(browser);
      await recruiter.page.goto('/sign-up');
      await recruiter.page.getByRole('radio', { name: fill('signup_role_seeker') }).check();
      await recruiter.page.getByLabel(fill('signup_name')).fill('Recruiter Two');
      await recruiter.page.getByLabel(fill('email'), { exact: true }).fill(recruiterEmail);
      await recruiter.page.getByLabel(fill('password'), { exact: true }).fill('another long password');
      await recruiter.page.getByRole('button', { name: fill('signup_button'), exact: true }).click();
      await expect(recruiter.page.getByRole('heading', { name: fill('acct_check_inbox_title') })).toBeVisible();
      await confirmEmail(recruiter.page, recruiterEmail);
      await expect(recruiter.page).toHaveURL(/\/profile/);
      await expect(recruiter.page.getByText(fill('invitation_notice', { employer: company }))).toBeVisible();
      await expectAccessible(recruiter.page, 'profile with an invitation');
      await recruiter.page.getByRole('button', { name: fill('invitation_accept') }).click();
      await expect(recruiter.page).toHaveURL(/\/employer/);
      await expect(recruiter.page.getByRole('heading', { name: fill('console_title'), level: 1 })).toBeVisible();
      await expect(recruiter.page.getByText(company).first()).toBeVisible();
      await expect(recruiter.page.getByText(fill('company_owner_only'))).toBeVisible();
      await expect(recruiter.page.getByRole('link', { name: fill('nav_employer') })).toBeVisible();
      await expect(recruiter.page.locator('#jobs').getByRole('link', { name: `Weekend packer ${token}`, exact: true })).toBeVisible();
      await expectAccessible(recruiter.page, 'employer console (recruiter)');

      // The owner sees the recruiter on the team and can remove them; never the owner.
      await page.reload();
      const recruiterRow = team.getByRole('listitem').filter({ hasText: 'Recruiter Two' });
      await expect(recruiterRow).toHaveCount(1);
      await expect(team.getByRole('button', { name: literally(fill('team_remove')) })).toHaveCount(1);
      await team.getByRole('button', { name: parts(fill('team_remove'), 'Recruiter Two') }).click();
      await expect(team.getByRole('status')).toHaveText(fill('team_removed', { name: 'Recruiter Two' }));
      await expect(recruiterRow).toHaveCount(0);

      await recruiter.context.close();
      await owner.context.close();
    });

    test('a seeker signs up, fills the profile with a resume, and finds jobs by search and by type', async ({ browser }) => {
      test.setTimeout(150_000);
      const { context, page } = await newPage(browser);

      // Sign up. An email that has an account already gets the same answer as a new one (the
      // page reveals nothing; the account's owner is mailed instead).
      const signUp = async (email: string) => {
        await page.goto('/');
        await page.getByRole('link', { name: fill('nav_sign_up') }).click();
        await page.getByRole('radio', { name: fill('signup_role_seeker') }).check();
        await page.getByLabel(fill('signup_name')).fill('Zhang Wei');
        await page.getByLabel(fill('email'), { exact: true }).fill(email);
        await page.getByLabel(fill('password'), { exact: true }).fill('zhang wei password');
        await page.getByRole('button', { name: fill('signup_button'), exact: true }).click();
        const answer = page.getByRole('status').filter({ has: page.getByRole('heading', { name: fill('acct_check_inbox_title') }) });
        await expect(answer).toBeVisible();
        return (await answer.innerText()).replace(email, '<email>');
      };
      const mailsToDemo = capturedMail().filter((m) => m.to === 'seeker@example.com').length;
      const taken = await signUp('seeker@example.com');
      await expect.poll(() => capturedMail().filter((m) => m.to === 'seeker@example.com').length).toBe(mailsToDemo + 1);
      const email = unique('seeker', locale);
      expect(await signUp(email)).toBe(taken);
      await confirmEmail(page, email);

      // The profile: every field; a salary range upside down is refused first.
      await expect(page).toHaveURL(/\/profile/);
      await expect(page.getByRole('heading', { name: fill('profile_title'), level: 1 })).toBeVisible();
      await expect(page.getByRole('link', { name: fill('nav_profile') })).toBeVisible();
      await expect(page.getByLabel(fill('signup_name'))).toHaveValue('Zhang Wei');
      await expectAccessible(page, 'empty profile');
      const resumeText = 'Forklift licence 2021.\n<script>alert("x")</script> is just text.';
      await page.getByLabel(fill('profile_headline')).fill('Warehouse & logistics, 2 years');
      await page.getByLabel(fill('profile_skills')).fill('Forklift、Excel，Cold chain, Forklift');
      await expect(page.getByText('Cold chain', { exact: true })).toBeVisible(); // previewed as a chip
      await page.getByLabel(fill('profile_years')).fill('2');
      await page.getByLabel(fill('profile_languages')).fill('中文, English');
      await page.getByLabel(fill('profile_education')).fill('Chengdu Vocational College, 2023');
      await page.getByLabel(fill('salary_min')).fill('9000');
      await page.getByLabel(fill('salary_max')).fill('6000');
      await page.getByLabel(fill('currency')).selectOption('CNY');
      await page.getByLabel(fill('profile_locations')).fill('Chengdu, Zunyi');
      await page.getByRole('checkbox', { name: fill('job_type_gig') }).check();
      await page.getByRole('checkbox', { name: fill('job_type_full_time') }).check();
      await page.getByLabel(fill('profile_resume_text_label')).fill(resumeText);
      await page.getByRole('button', { name: fill('profile_save') }).click();
      await expect(page.getByText(fill('error_salary_order'))).toBeVisible();
      await expect(page.getByLabel(fill('profile_headline'))).toHaveValue('Warehouse & logistics, 2 years');
      await expect(page.getByRole('checkbox', { name: fill('job_type_gig') })).toBeChecked();
      await expectAccessible(page, 'profile with errors');
      await page.getByLabel(fill('salary_min')).fill('6000');
      await page.getByLabel(fill('salary_max')).fill('9000');
      await page.getByRole('button', { name: fill('profile_save') }).click();
      await expect(page.getByRole('main').getByRole('status')).toHaveText(fill('saved'));

      // Saved, normalised, and HTML kept as text.
      await page.reload();
      await expect(page.getByLabel(fill('profile_skills'))).toHaveValue('Forklift, Excel, Cold chain');
      await expect(page.getByLabel(fill('salary_max'))).toHaveValue('9000');
      await expect(page.getByLabel(fill('profile_resume_text_label'))).toHaveValue(resumeText);
      await expect(page.getByRole('checkbox', { name: fill('job_type_full_time') })).toBeChecked();
      await expect(page.getByRole('checkbox', { name: fill('job_type_internship') })).not.toBeChecked();

      // The resume file: nothing chosen, the wrong type, too large, then a real PDF.
      const resume = page.getByLabel(fill('resume_choose'));
      const upload = page.getByRole('button', { name: fill('resume_upload') });
      await upload.click();
      await expect(page.getByText(fill('error_file_missing'))).toBeVisible();
      await resume.setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html>not a pdf</html>') });
      await upload.click();
      await expect(page.getByText(fill('error_file_type'))).toBeVisible();
      await expect(resume).toHaveAttribute('aria-invalid', 'true');
      await expectAccessible(page, 'profile with a refused upload');
      const big = Buffer.alloc(2 * 1024 * 1024 + 10, 0x20);
      pdf('x').copy(big);
      await resume.setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: big });
      await upload.click();
      await expect(page.getByText(fill('error_file_too_large'))).toBeVisible();
      await resume.setInputFiles({ name: 'Zhang Wei CV.pdf', mimeType: 'application/pdf', buffer: pdf('Zhang Wei') });
      await upload.click();
      await expect(page.getByRole('main').getByRole('status')).toHaveText(fill('resume_uploaded'));
      await expect(page.getByText('Zhang Wei CV.pdf')).toBeVisible();
      const download = page.getByRole('link', { name: fill('resume_download') });
      const file = await page.request.get((await download.getAttribute('href'))!);
      expect(file.headers()['content-type']).toBe('application/pdf');
      expect((await file.body()).subarray(0, 5).toString()).toBe('%PDF-');
      await expectAccessible(page, 'profile with a resume');

      // Find jobs at the demo fair: by a word, then by job type; the filters keep their values.
      await page.goto('/');
      await page
        .getByRole('link', { name: fill('enter_fair') })
        .first()
        .click();
      await expect(page.getByRole('heading', { name: literally(DEMO_FAIR), level: 1 })).toBeVisible();
      await expectAccessible(page, 'fair page');
      const search = page.getByRole('search');
      await search.getByLabel(fill('search_q')).fill('cold-chain');
      await search.getByRole('button', { name: fill('search_button') }).click();
      await expect(page).toHaveURL(/q=cold-chain/);
      await expect(page.getByRole('link', { name: literally(COLD_CHAIN_JOB) })).toBeVisible();
      await expect(page.getByRole('link', { name: literally(FRONTEND_JOB) })).toHaveCount(0);
      await expect(search.getByLabel(fill('search_q'))).toHaveValue('cold-chain');
      await expectAccessible(page, 'fair search results');

      await search.getByLabel(fill('search_q')).fill('');
      await search.getByLabel(fill('job_type_label')).selectOption('gig');
      await search.getByRole('button', { name: fill('search_button') }).click();
      await expect(page).toHaveURL(/jobType=gig/);
      await expect(page.getByRole('link', { name: literally(RIDER_JOB) })).toBeVisible();
      await expect(page.getByRole('link', { name: literally(FRONTEND_JOB) })).toHaveCount(0);
      await expect(page.getByRole('link', { name: literally(COLD_CHAIN_JOB) })).toHaveCount(0);
      await expect(search.getByLabel(fill('job_type_label'))).toHaveValue('gig');

      await search.getByLabel(fill('search_location')).fill('Atlantis');
      await search.getByRole('button', { name: fill('search_button') }).click();
      await expect(page.getByText(fill('search_empty'))).toBeVisible();
      await expectAccessible(page, 'fair search, nothing found');
      await page
        .getByRole('link', { name: fill('search_clear') })
        .first()
        .click();
      await expect(page.getByRole('link', { name: literally(FRONTEND_JOB) })).toBeVisible();

      // The job page, and what is not a job.
      await page.goto('/fairs/' + new URL(page.url()).pathname.split('/')[2] + '?jobType=gig');
      await page.getByRole('link', { name: literally(RIDER_JOB) }).click();
      await expect(page.getByRole('heading', { name: literally(RIDER_JOB), level: 1 })).toBeVisible();
      await expect(page.getByText(fill('salary_per_month', { min: '4,000', max: '9,000', currency: 'CNY' })).first()).toBeVisible();
      await expect(page.getByRole('link', { name: literally(fill('jobpage_visit_booth'), true) })).toHaveAttribute('href', /^\/booths\//);
      await expectAccessible(page, 'job page');
      for (const path of ['/jobs/not-a-job', '/jobs/00000000-0000-4000-8000-000000000000']) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(404);
        await expect(page.getByRole('heading', { name: fill('not_found_title') })).toBeVisible();
      }

      // A seeker has no employer console.
      await page.goto('/employer');
      await expect(page).toHaveURL(/\/profile/);
      await context.close();
    });
  });
}
