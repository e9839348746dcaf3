import { DEMO_PASSWORD, expect, expectAccessible, test } from './fixtures.ts';

/** On a 375 px phone the pages fit the screen and the header folds into a menu. */
test.use({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });

const fitsTheScreen = (page: import('@playwright/test').Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('a seeker on a phone: one-row header, a working menu, nothing wider than the screen', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('seeker@example.com');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signing in ends with a full page load; the signed-in header (its profile link, folded away)
  // exists only after it, so going on from there cannot race that load.
  await expect(page.locator('header a[href="/profile"]')).toBeAttached();
  await page.goto('/');

  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My profile' })).toBeHidden();
  const header = await page.locator('header').boundingBox();
  expect(header!.height, 'the header is one row').toBeLessThan(80);

  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByText(/Signed in as/)).toBeVisible();
  await expectAccessible(page, 'home on a phone, menu open');
  await page.getByRole('link', { name: 'My profile' }).click();
  await page.waitForURL('**/profile');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  expect(await fitsTheScreen(page), 'profile fits 375 px').toBe(true);

  await page.goto('/');
  expect(await fitsTheScreen(page), 'home fits 375 px').toBe(true);
  await page.getByRole('link', { name: 'Enter the fair' }).first().click();
  await page.waitForURL(/\/fairs\//);
  expect(await fitsTheScreen(page), 'fair page fits 375 px').toBe(true);
  await page
    .getByRole('link', { name: /Visit booth/ })
    .first()
    .click();
  await page.waitForURL(/\/booths\//);
  expect(await fitsTheScreen(page), 'booth page fits 375 px').toBe(true);
  await expectAccessible(page, 'booth page on a phone');
});
