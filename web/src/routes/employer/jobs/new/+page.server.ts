import { error, redirect } from '@sveltejs/kit';
import { formAction, services } from '#lib/server/platform.ts';
import { formValues, idField } from '#lib/server/form-values.ts';
import type { JobInput } from '@fairground/core/schemas';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  const mine = user.role === 'employer' ? await services().employers.mine(user) : [];
  const choice = mine.find((r) => r.employer.id === url.searchParams.get('e')) ?? mine[0];
  if (!choice) error(403, 'Only an employer’s staff may post jobs');
  return { employer: { id: choice.employer.id, name: choice.employer.name, location: choice.employer.location } };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const data = await request.formData();
    const employerId = idField(data, 'employerId');
    const values = formValues(data, { lists: ['benefits'] });
    const outcome = await formAction(values, () => services().employers.createJob(locals.user, employerId, values as JobInput));
    if (!outcome.ok) return outcome.failure;
    redirect(303, `/employer?e=${employerId}&notice=job_created#jobs`);
  },
};
