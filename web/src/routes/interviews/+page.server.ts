import { redirect } from '@sveltejs/kit';
import { services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  if (!locals.user) redirect(303, '/sign-in?next=/interviews');
  const [history, stages] = await Promise.all([services().interviews.historyOf(locals.user), services().hiring.sharedWith(locals.user)]);
  return { history, stages };
};
