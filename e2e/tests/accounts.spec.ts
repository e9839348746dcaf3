import { readFileSync } from 'node:fs';
import type { Browser } from '@playwright/test';
import { confirmEmail, expect, expectAccessible, mailedLink, signIn, test } from './fixtures.ts';

/**
 * Issue 11, item 2: the account pages a mail leads to. A new account confirms its address, forgets
 * its password and resets it from the mailed link (once), signs out everywhere, and accepts a team
 * invitation through its link; every page in both languages' words and checked with axe.
 */
type Messages = Record<string, string>;
const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Messages;
const messages = (locale: string): Messages => ({
  ...read(`../../web/messages/common/${locale}.json`),
  ...read(`../../web/messages/seeker/${locale}.json`),
  ...read(`../../web/messages/account/${locale}.json`),
});

for (const locale of ['en', 'zh-CN'] as const) {
  const L = messages(locale);
  const fill = (key: string, values: Record<string, string> = {}) =>
    (L[key] ?? `«missing ${key}»`).replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);
  const newPage = async (browser: Browser) => {
    const context = await browser.newContext({ locale: locale === 'en' ? 'en-US' : 'zh-CN' });
    return { context, page: await context.newPage() };
  };
  const email = `account-${locale.toLowerCase()}-${Date.now().toString(36)}@example.com`;

  test(`a new account confirms its email, resets its password, signs out everywhere and accepts an invitation (${locale})`, async ({ browser }) => {
    test.setTimeout(150_000);
    const { context, page } = await newPage(browser);
    await page.goto('/sign-up');
    await page.getByLabel(fill('signup_name')).fill('Chen Jing');
    await page.getByLabel(fill('email'), { exact: true }).fill(email);
    await page.getByLabel(fill('password'), { exact: true }).fill('first password');
    await page.getByRole('button', { name: fill('signup_button'), exact: true }).click();
    await expect(page.getByRole('heading', { name: fill('acct_check_inbox_title') })).toBeVisible();

    // Before confirming, the password does not sign in (and a new link is mailed).
    await page.goto('/sign-in');
    await page.getByLabel(fill('email')).fill(email);
    await page.getByLabel(fill('password')).fill('first password');
    await page.getByRole('button', { name: fill('sign_in_button') }).click();
    await expect(page.getByRole('alert')).toHaveText(fill('acct_unverified'));

    // The link only shows a button; confirming signs in. The same link a second time is spent.
    const verify = await mailedLink(email, '/verify-email');
    await page.goto(verify);
    await expectAccessible(page, 'verify email');
    await confirmEmail(page, email);
    await expect(page).toHaveURL(/\/profile/);
    const other = await newPage(browser);
    await other.page.goto(verify);
    await other.page.getByRole('button', { name: fill('acct_verify_button') }).click();
    await expect(other.page.getByRole('alert')).toHaveText(fill('acct_link_invalid'));

    // Sign out everywhere: a second device signed in is signed out too.
    await other.page.goto('/sign-in');
    await other.page.getByLabel(fill('email')).fill(email);
    await other.page.getByLabel(fill('password')).fill('first password');
    await other.page.getByRole('button', { name: fill('sign_in_button') }).click();
    await expect(other.page.getByText(/Signed in as|已登录/)).toBeVisible();
    await page.goto('/profile');
    await expectAccessible(page, 'profile with sessions');
    await page.getByRole('button', { name: fill('acct_sign_out_everywhere') }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await other.page.reload();
    await expect(other.page.getByRole('link', { name: fill('nav_sign_in') })).toBeVisible();

    // Forgot password: the answer does not say whether the address has an account.
    await page.getByRole('link', { name: fill('acct_forgot_link') }).click();
    await expectAccessible(page, 'forgot password');
    await page.getByLabel(fill('email')).fill(email);
    await page.getByRole('button', { name: fill('acct_forgot_button') }).click();
    await expect(page.getByRole('main').getByRole('status')).toHaveText(fill('acct_forgot_sent', { email }));
    const reset = await mailedLink(email, '/reset-password');
    await page.goto(reset);
    await expectAccessible(page, 'reset password');
    await page.getByLabel(fill('acct_new_password'), { exact: true }).fill('second password');
    await page.getByLabel(fill('acct_confirm_password')).fill('second passwrd');
    await page.getByRole('button', { name: fill('acct_reset_button') }).click();
    await expect(page.getByText(fill('acct_passwords_differ'))).toBeVisible();
    await page.getByLabel(fill('acct_new_password'), { exact: true }).fill('second password');
    await page.getByLabel(fill('acct_confirm_password')).fill('second password');
    await page.getByRole('button', { name: fill('acct_reset_button') }).click();
    await expect(page.getByRole('main').getByRole('status')).toHaveText(fill('acct_reset_done'));
    await page.goto(reset);
    await page.getByLabel(fill('acct_new_password'), { exact: true }).fill('third password');
    await page.getByLabel(fill('acct_confirm_password')).fill('third password');
    await page.getByRole('button', { name: fill('acct_reset_button') }).click();
    await expect(page.getByRole('alert')).toHaveText(fill('acct_link_invalid'));

    // The demo employer invites this address; the mailed link, opened signed out, asks to sign in
    // and comes back; accepting makes the account a recruiter. The link then is spent.
    const owner = await newPage(browser);
    await signIn(owner.page, 'employer@example.com');
    await owner.page.goto('/employer');
    await owner.page.locator('#team').getByLabel(fill('invite_email')).fill(email);
    await owner.page
      .locator('#team')
      .getByRole('button', { name: fill('invite_button') })
      .click();
    await expect(owner.page.locator('#team').getByRole('status')).toHaveText(fill('invite_sent', { email }));
    const invitation = await mailedLink(email, '/invitations');
    await page.goto(invitation);
    await expectAccessible(page, 'invitation, signed out');
    await page.getByRole('link', { name: fill('acct_invite_sign_in') }).click();
    await page.getByLabel(fill('email')).fill(email);
    await page.getByLabel(fill('password')).fill('second password');
    await page.getByRole('button', { name: fill('sign_in_button') }).click();
    await expect(page).toHaveURL(new RegExp(`${invitation}$`));
    await page.getByRole('button', { name: fill('acct_invite_accept') }).click();
    await expect(page).toHaveURL(/\/employer/);
    await page.goto(invitation);
    await expect(page.getByRole('alert')).toHaveText(fill('acct_link_invalid'));
    await page.goto('/invitations/not-a-real-token');
    await expect(page.getByRole('alert')).toHaveText(fill('acct_link_invalid'));

    // The owner removes the new recruiter again (the demo team stays as it was).
    await owner.page.reload();
    await owner.page
      .locator('#team')
      .getByRole('button', { name: new RegExp(`${fill('team_remove')}.*Chen Jing`) })
      .click();
    await expect(owner.page.locator('#team').getByRole('listitem').filter({ hasText: 'Chen Jing' })).toHaveCount(0);
    await Promise.all([context.close(), other.context.close(), owner.context.close()]);
  });
}
