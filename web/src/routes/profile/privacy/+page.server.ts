import { error, redirect } from '@sveltejs/kit';
import { formAction, services } from '#lib/server/platform.ts';
import { field, idField } from '#lib/server/form-values.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, '/sign-in?next=/profile/privacy');
  if (user.role !== 'seeker') error(403, 'The privacy page is for job seekers');
  const { resumeBook } = services();
  const page = Number(url.searchParams.get('page') ?? '1');
  const [fairs, views] = await Promise.all([resumeBook.myOptIns(user), resumeBook.viewsOfMe(user, page)]);
  return { fairs, views };
};

export const actions: Actions = {
  /** One toggle per fair: `on` says which way. */
  optIn: async ({ request, locals }) => {
    const data = await request.formData();
    const fairId = idField(data, 'fairId');
    const on = field(data, 'on') === 'true';
    const outcome = await formAction({ fairId }, () => services().resumeBook.setOptIn(locals.user, fairId, on));
    return outcome.ok ? { fairId, on } : outcome.failure;
  },
};
