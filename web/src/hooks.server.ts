import type { Handle, HandleServerError } from '@sveltejs/kit/hooks';
import { isDatabaseUnavailable } from '@fairground/db';
import { m } from '#lib/paraglide/messages.js';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '#lib/paraglide/server.js';
import { auth } from '#lib/server/platform.ts';

const i18n: Handle = ({ event, resolve }) =>
  // The request paraglide hands back differs only under a URL strategy (de-localised path); ours
  // are cookie / Accept-Language, and SvelteKit 3 makes event.request read-only: the event's is used.
  paraglideMiddleware(event.request, ({ locale }) => {
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
export const handleError: HandleServerError = ({ error, kind }) => {
  if (isDatabaseUnavailable(error)) {
    console.warn('database unavailable:', (error as Error)?.message);
    return { message: m.error_UNAVAILABLE() };
  }
  if (kind === 'unknown' || (kind === 'framework' && error.status !== 404)) console.error(error);
  // Nothing returned: SvelteKit's own status and safe message ("Internal Error" for unknown errors).
};
