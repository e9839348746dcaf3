import { error, fail, redirect } from '@sveltejs/kit';
import { formAction, services } from '#lib/server/platform.ts';
import { formFile, formValues, idField } from '#lib/server/form-values.ts';
import type { ProfileInput } from '@fairground/core/schemas';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user;
  if (!user) redirect(303, '/sign-in?next=/profile');
  // Employer accounts (owners, and seekers who became recruiters) have their console instead.
  if (user.role === 'employer') redirect(303, '/employer');
  if (user.role !== 'seeker') error(403, 'Only job seekers have a profile');
  const { profiles, employers, uploads } = services();
  const [profile, invitations] = await Promise.all([profiles.mine(user), employers.invitationsFor(user)]);
  const resume = profile.resumeUploadId ? await uploads.describe(profile.resumeUploadId).catch(() => null) : null;
  return {
    profile,
    invitations,
    resume: resume && { id: resume.id, filename: resume.filename, size: resume.size },
  };
};

export const actions: Actions = {
  save: async ({ request, locals }) => {
    const values = formValues(await request.formData(), { lists: ['jobTypes'] });
    const outcome = await formAction(values, () => services().profiles.save(locals.user, values as ProfileInput));
    return outcome.ok ? { saved: 'profile' as const } : outcome.failure;
  },

  resume: async ({ request, locals }) => {
    const file = await formFile(await request.formData(), 'resume');
    if (!file) return fail(400, { values: {}, errors: { file: 'file_missing' } as Record<string, string> });
    const { uploads, profiles } = services();
    const outcome = await formAction({}, async () => profiles.setResume(locals.user, await uploads.store(locals.user, 'resume', file)));
    return outcome.ok ? { saved: 'resume' as const } : outcome.failure;
  },

  removeResume: async ({ locals }) => {
    const outcome = await formAction({}, () => services().profiles.setResume(locals.user, null));
    return outcome.ok ? { saved: 'resume_removed' as const } : outcome.failure;
  },

  /** Joining an employer's team as a recruiter makes this an employer account: on to its console. */
  accept: async ({ request, locals }) => {
    const id = idField(await request.formData(), 'invitationId');
    const outcome = await formAction({}, () => services().employers.acceptInvitation(locals.user, id));
    if (!outcome.ok) return outcome.failure;
    redirect(303, `/employer?e=${outcome.result.employerId}`);
  },
};
