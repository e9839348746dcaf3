import { error, redirect } from '@sveltejs/kit';
import { services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

/** The integrations of the user's (first) employer. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  if (user.role !== 'employer') error(403, 'Integrations are for employer accounts');
  const [first] = await services().employers.mine(user);
  redirect(303, first ? `/employer/integrations/${first.employer.id}` : '/employer');
};
