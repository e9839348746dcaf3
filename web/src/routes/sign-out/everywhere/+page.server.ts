import { redirect } from '@sveltejs/kit';
import { applyAuthCookies, auth } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  /** Ends every session of the user on every device (and their open sockets, through AccessEvents). */
  default: async ({ request, cookies }) => {
    applyAuthCookies(cookies, await auth().signOutEverywhere(request.headers));
    redirect(303, '/sign-in');
  },
};
