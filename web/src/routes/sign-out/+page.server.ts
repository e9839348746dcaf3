import { redirect } from '@sveltejs/kit';
import { applyAuthCookies, auth } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async ({ request, cookies }) => {
    applyAuthCookies(cookies, await auth().signOut(request.headers));
    redirect(303, '/');
  },
};
