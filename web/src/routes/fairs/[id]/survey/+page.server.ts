import { redirect } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const survey = await loadOr404(() => services().surveys.forMe(locals.user, routeId(params.id)));
  return { ...survey, isOrganizer: locals.user.role === 'organizer' || locals.user.role === 'admin' };
};

export const actions: Actions = {
  answer: async ({ request, params, locals }) => {
    const values = Object.fromEntries(await request.formData());
    const result = await formAction(values, () => services().surveys.answer(locals.user, routeId(params.id), values));
    return result.ok ? { answered: true } : result.failure;
  },
  questions: async ({ request, params, locals }) => {
    const values = Object.fromEntries(await request.formData());
    const result = await formAction(values, () => services().surveys.configure(locals.user, routeId(params.id), values));
    return result.ok ? { questionsSaved: true } : result.failure;
  },
};
