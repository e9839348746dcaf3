import type { Handle, HandleServerError } from '@sveltejs/kit';
import { isDatabaseUnavailable } from '@fairground/db';
import { m } from '$lib/paraglide/messages';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { auth } from '$lib/server/platform';

const i18n: Handle = ({ event, resolve }) =>
  paraglideMiddleware(event.request, ({ request, locale }) => {
    event.request = request;
    return resolve(event, {
      transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale),
    });
  });

const session: Handle = async ({ event, resolve }) => {
  event.locals.user = await auth().userFor(event.request.headers);
  return resolve(event);
};

export const handle = sequence(session, i18n);

/**
 * Unexpected errors of pages and form actions. A database that is down or restarting is said as
 * such (the page's text, in the reader's language, not "Internal Error"); the rest keeps kit's
 * default. Either way the details stay in the server's log, never in the page.
 */
export const handleError: HandleServerError = ({ error, status, message }) => {
  if (isDatabaseUnavailable(error)) {
    console.warn('database unavailable:', (error as Error)?.message);
    return { message: m.error_UNAVAILABLE() };
  }
  if (status !== 404) console.error(error);
  return { message };
};
