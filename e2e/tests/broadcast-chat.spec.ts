import { expect, expectAccessible, newUser, signIn, test } from './fixtures.ts';

/**
 * A guidance broadcast's chat and Q&A, live between a host and two viewers: a viewer chats and asks,
 * another upvotes, the host pins and answers, deletes a message and mutes the viewer. A signed-out
 * visitor reads along. Texts are shown as text, never as HTML.
 */
test('viewers chat and ask, the host moderates, everyone sees it live', async ({ browser }) => {
  // The demo broadcast is hosted by the organizer.
  const host = await newUser(browser);
  await signIn(host.page, 'organizer@example.com');
  await host.page.goto('/');
  await host.page
    .getByRole('link', { name: /Interview Skills Live/ })
    .first()
    .click();
  await host.page.waitForURL(/\/broadcasts\//);
  const url = host.page.url();
  const hostChat = host.page.getByTestId('broadcast-chat');
  await expect(hostChat.getByLabel('Slow mode')).toBeVisible();

  const viewer = await newUser(browser);
  await signIn(viewer.page, 'seeker@example.com');
  await viewer.page.goto(url);
  const viewerChat = viewer.page.getByTestId('broadcast-chat');
  await expect(viewerChat.getByText('No messages yet. Say hello!')).toBeVisible();
  // Viewers get no moderation controls.
  await expect(viewerChat.getByLabel('Slow mode')).toHaveCount(0);

  const other = await newUser(browser);
  await signIn(other.page, 'employer@example.com');
  await other.page.goto(url);
  const otherChat = other.page.getByTestId('broadcast-chat');

  const visitor = await newUser(browser);
  await visitor.page.goto(url);
  const visitorChat = visitor.page.getByTestId('broadcast-chat');
  await expect(visitorChat.getByRole('tabpanel', { name: 'Chat' }).getByText(/Sign in to chat and ask questions/)).toBeVisible();
  await expect(visitorChat.getByLabel('Your message')).toHaveCount(0);
  // The tabs work from the keyboard (arrow keys move between them).
  await visitorChat.getByRole('tab', { name: 'Chat' }).focus();
  await visitor.page.keyboard.press('ArrowRight');
  await expect(visitorChat.getByRole('tab', { name: /Questions/ })).toBeFocused();
  await expect(visitorChat.getByRole('tab', { name: /Questions/ })).toHaveAttribute('aria-selected', 'true');
  await expect(visitorChat.getByRole('tabpanel', { name: /Questions/ })).toBeVisible();
  await visitor.page.keyboard.press('Home');
  await expect(visitorChat.getByRole('tab', { name: 'Chat' })).toHaveAttribute('aria-selected', 'true');

  // The viewer chats; markup stays text on every screen.
  await viewerChat.getByLabel('Your message').fill('Hello everyone <b>not bold</b>');
  await viewerChat.getByRole('button', { name: 'Send' }).click();
  for (const chat of [hostChat, otherChat, visitorChat]) {
    await expect(chat.getByText('Hello everyone <b>not bold</b>')).toBeVisible();
  }
  await expect(viewerChat.getByLabel('Your message')).toHaveValue('');
  await viewerChat.getByLabel('Your message').fill('Anyone from Chengdu?');
  await viewerChat.getByRole('button', { name: 'Send' }).click();
  await expect(hostChat.getByText('Anyone from Chengdu?')).toBeVisible();

  // The viewer asks a question; the other viewer upvotes it (once: the button then stays pressed).
  await viewerChat.getByRole('tab', { name: /Questions/ }).click();
  await viewerChat.getByLabel('Your question for the hosts').fill('Does this job pay social insurance?');
  await viewerChat.getByRole('button', { name: 'Ask' }).click();
  await otherChat.getByRole('tab', { name: 'Questions (1)' }).click();
  const otherQuestion = otherChat.getByTestId('question').filter({ hasText: 'Does this job pay social insurance?' });
  await otherQuestion.getByRole('button', { name: /Upvote this question \(votes so far: 0\)/ }).click();
  await expect(otherQuestion.getByRole('button', { name: /Upvote this question \(votes so far: 1\)/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(otherQuestion.getByRole('button', { name: /Upvote/ })).toBeDisabled();
  const viewerQuestion = viewerChat.getByTestId('question').filter({ hasText: 'Does this job pay social insurance?' });
  await expect(viewerQuestion.getByRole('button', { name: /Upvote/ })).toContainText('1');
  await expectAccessible(viewer.page, 'broadcast page, questions tab, viewer');
  await expectAccessible(visitor.page, 'broadcast page, chat, signed-out visitor');

  // The host pins it and marks it answered; both viewers see it.
  await hostChat.getByRole('tab', { name: /Questions/ }).click();
  const hostQuestion = hostChat.getByTestId('question').filter({ hasText: 'Does this job pay social insurance?' });
  await hostQuestion.getByRole('button', { name: 'Pin' }).click();
  await hostQuestion.getByRole('button', { name: 'Mark answered' }).click();
  for (const q of [viewerQuestion, otherQuestion]) {
    await expect(q.getByText('Pinned')).toBeVisible();
    await expect(q.getByText('Answered')).toBeVisible();
  }
  await expectAccessible(host.page, 'broadcast page, questions tab, host');

  // The host deletes a message (gone for everyone) and mutes the viewer (told live, refused).
  await hostChat.getByRole('tab', { name: 'Chat' }).click();
  await hostChat.getByRole('button', { name: 'Delete the message from 李明 Li Ming' }).last().click();
  for (const chat of [hostChat, otherChat, visitorChat]) await expect(chat.getByText('Anyone from Chengdu?')).toHaveCount(0);
  await expect(hostChat.getByText('Hello everyone <b>not bold</b>')).toBeVisible();
  await hostChat.getByRole('button', { name: 'Mute 李明 Li Ming in this broadcast' }).click();
  await expect(hostChat.getByText('Muted', { exact: true })).toBeVisible();
  await viewerChat.getByRole('tab', { name: 'Chat' }).click();
  await expect(viewerChat.getByText(/A moderator has muted you in this broadcast/)).toBeVisible();
  await expect(viewerChat.getByLabel('Your message')).toBeDisabled();
  await expectAccessible(host.page, 'broadcast page, chat with moderation, host');

  // After a reload the muted viewer gets the history and stays muted.
  await viewer.page.reload();
  await expect(viewerChat.getByText('Hello everyone <b>not bold</b>')).toBeVisible();
  await expect(viewerChat.getByText(/A moderator has muted you in this broadcast/)).toBeVisible();

  // Slow mode reaches the viewers.
  await hostChat.getByLabel('Slow mode').selectOption('30');
  await expect(otherChat.getByText('Slow mode is on: one message every 30 s.')).toBeVisible();
  await otherChat.getByRole('tab', { name: 'Chat' }).click();
  await otherChat.getByLabel('Your message').fill('First');
  await otherChat.getByRole('button', { name: 'Send' }).click();
  await expect(hostChat.getByText('First', { exact: true })).toBeVisible();
  await otherChat.getByLabel('Your message').fill('Second');
  await otherChat.getByRole('button', { name: 'Send' }).click();
  await expect(otherChat.getByRole('alert')).toContainText(/Slow mode is on\. You can send again in \d+ s\./);

  for (const u of [host, viewer, other, visitor]) await u.context.close();
});

/**
 * An ended broadcast (the demo history's policy Q&A) is a record: its chat and questions stay
 * readable, but nobody is offered a composer, a vote, slow mode or a stage to go live on.
 */
test('an ended broadcast is read-only: no going live, posting, voting or slow mode', async ({ browser }) => {
  const host = await newUser(browser);
  await signIn(host.page, 'organizer@example.com');
  await host.page.goto('/organizer/broadcasts');
  await host.page
    .getByRole('link', { name: /^政策问答/ })
    .first()
    .click();
  await host.page.waitForURL(/\/broadcasts\/[0-9a-f-]+$/);
  await expect(host.page.getByText('Ended', { exact: true }).first()).toBeVisible();
  const chat = host.page.getByTestId('broadcast-chat');
  await expect(chat.getByText('This broadcast has ended; its chat is read-only.')).toBeVisible();
  // The history is there to read...
  await expect(chat.getByRole('listitem').first()).toBeVisible();
  // ...but the host, an organizer, gets no stage, slow mode or composer.
  await expect(host.page.getByRole('button', { name: /Go live/ })).toHaveCount(0);
  await expect(chat.getByLabel('Slow mode')).toHaveCount(0);
  await expect(chat.getByLabel('Your message')).toHaveCount(0);
  await expect(host.page.getByTestId('broadcast-report-link')).toBeVisible();

  const viewer = await newUser(browser);
  await signIn(viewer.page, 'seeker@example.com');
  await viewer.page.goto(host.page.url());
  const viewerChat = viewer.page.getByTestId('broadcast-chat');
  await viewerChat.getByRole('tab', { name: /Questions/ }).click();
  await expect(viewerChat.getByLabel('Your question for the hosts')).toHaveCount(0);
  const votes = viewerChat.getByRole('button', { name: /upvote/i });
  await expect(votes.first()).toBeVisible();
  for (const button of await votes.all()) await expect(button).toBeDisabled();
  await expectAccessible(viewer.page, 'ended broadcast');
});
