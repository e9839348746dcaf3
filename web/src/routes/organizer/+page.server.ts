import { redirect } from '@sveltejs/kit';
import { requireRole, validate } from '@fairground/core';
import { fairSchema } from '@fairground/core/schemas';
import { formAction, services } from '#lib/server/platform.ts';
import { formFile, formValues } from '#lib/server/form-values.ts';
import { fairInput, requireOrganizer } from '#lib/server/organizer.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = requireOrganizer(locals.user, url);
  const fairs = await services().fairs.list(user);
  return { fairs };
};

export const actions: Actions = {
  /** A new fair starts as a draft; its page is where it is published. */
  create: async ({ request, locals }) => {
    const data = await request.formData();
    const values = formValues(data);
    const input = fairInput(values);
    const outcome = await formAction(values, async () => {
      const { fairs, uploads } = services();
      // Check the role and the fields before anything is stored, so a refused form leaves no file.
      requireRole(locals.user, 'organizer');
      validate(fairSchema, input);
      const file = await formFile(data, 'cover');
      const coverId = file ? await uploads.store(locals.user, 'cover', file) : null;
      const fair = await fairs.create(locals.user, input);
      if (coverId) await fairs.setCover(locals.user, fair.id, coverId);
      return fair;
    });
    if (!outcome.ok) return outcome.failure;
    redirect(303, `/organizer/fairs/${outcome.result.id}?created`);
  },
};
