import { error, redirect } from '@sveltejs/kit';
import { formAction, services } from '#lib/server/platform.ts';
import { field, idField } from '#lib/server/form-values.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user;
  if (!user) redirect(303, '/sign-in?next=/profile/invitations');
  if (user.role !== 'seeker') error(403, 'Invitations from employers are for job seekers');
  return { invitations: await services().candidateInvitations.forSeeker(user) };
};

export const actions: Actions = {
  answer: async ({ request, locals }) => {
    const data = await request.formData();
    const id = idField(data, 'invitationId');
    const answer = field(data, 'answer');
    const outcome = await formAction({ invitationId: id }, () => services().candidateInvitations.answer(locals.user, id, answer));
    return outcome.ok ? { answered: answer, invitationId: id } : outcome.failure;
  },
};
