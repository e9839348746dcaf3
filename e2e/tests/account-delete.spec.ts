import { confirmEmail, test, expect, expectAccessible, newUser } from './fixtures.ts';

// Issue 11, item 5: deleting one's own account, confirmed by the password, signs every page out.
test('a seeker deletes their account after confirming the password; the account is gone', async ({ browser }) => {
  const email = `leaving-${Date.now()}@example.com`;
  const password = 'a long enough password';
  const { context, page } = await newUser(browser);
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill('Leaving Soon');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // A new account signs in by confirming its address from the mailed link.
  await confirmEmail(page, email);

  await page.goto('/profile/delete');
  await expect(page.getByRole('heading', { name: 'Delete your account' })).toBeVisible();
  await expectAccessible(page, 'delete account');
  await page.getByLabel('Your password, to confirm').fill('not my password');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByText('That is not your password.')).toBeVisible();
  await expect(page.getByLabel('Your password, to confirm')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Your password, to confirm').fill(password);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByText(/Signed in as/)).toHaveCount(0);

  // The account no longer signs in.
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await context.close();
});

test('an employer’s owner is told why their account cannot be deleted, in Chinese too', async ({ browser }) => {
  const { context, page } = await newUser(browser, 'zh-CN');
  await page.goto('/sign-in');
  await page.getByLabel(/邮箱|Email/).fill('employer@example.com');
  await page.getByLabel(/密码|Password/).fill('fairground-demo');
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await expect(page.getByText(/已登录|Signed in as/)).toBeVisible();
  await page.goto('/profile/delete');
  await expect(page.getByRole('heading', { name: '注销账号' })).toBeVisible();
  await page.getByLabel('请输入密码确认').fill('fairground-demo');
  await page.getByRole('button', { name: '注销我的账号' }).click();
  await expect(page.getByRole('alert')).toContainText('所有者');
  await context.close();
});
