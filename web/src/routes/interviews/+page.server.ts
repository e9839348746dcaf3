import { redirect } from '@sveltejs/kit';
import { services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  if (!locals.user) redirect(303, '/sign-in?next=/interviews');
  return { history: await services().interviews.historyOf(locals.user) };
};
