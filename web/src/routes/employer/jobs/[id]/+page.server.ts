import { redirect } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';
import { formValues } from '#lib/server/form-values.ts';
import type { JobInput } from '@fairground/core/schemas';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const id = routeId(params.id);
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const { employers } = services();
  const { job, employer } = await loadOr404(() => employers.job(id));
  // Only this employer's staff edit its jobs (403 for anyone else).
  await loadOr404(() => employers.members(locals.user, employer.id));
  return { job, employer: { id: employer.id, name: employer.name } };
};

export const actions: Actions = {
  save: async ({ request, locals, params }) => {
    const values = formValues(await request.formData(), { lists: ['benefits'] });
    const outcome = await formAction(values, () => services().employers.updateJob(locals.user, routeId(params.id), values as JobInput));
    return outcome.ok ? { saved: true } : outcome.failure;
  },

  delete: async ({ locals, params }) => {
    const id = routeId(params.id);
    const { employers } = services();
    const outcome = await formAction({}, async () => {
      const { job } = await employers.job(id);
      await employers.deleteJob(locals.user, id);
      return job.employerId;
    });
    if (!outcome.ok) return outcome.failure;
    redirect(303, `/employer?e=${outcome.result}&notice=job_deleted#jobs`);
  },
};
