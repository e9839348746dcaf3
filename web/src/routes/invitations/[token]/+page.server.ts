import { redirect } from '@sveltejs/kit';
import { ServiceError } from '@fairground/core';
import { formAction, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

/**
 * A mailed invitation link (a team or a broadcast co-host invitation). Opening it only shows the
 * invitation: accepting is the signed-in user's POST, which spends the link.
 */
export const load: PageServerLoad = async ({ params, locals }) => {
  try {
    const invitation = await services().invitations.describe(params.token);
    return { invitation, user: locals.user ? { email: locals.user.email, role: locals.user.role } : null };
  } catch (e) {
    if (e instanceof ServiceError) return { invitation: null, user: null };
    throw e;
  }
};

export const actions: Actions = {
  default: async ({ params, locals }) => {
    const outcome = await formAction({}, () => services().invitations.accept(locals.user, params.token));
    if (!outcome.ok) return outcome.failure;
    const view = outcome.result;
    redirect(303, view.kind === 'team' ? `/employer?e=${view.employerId}` : `/broadcasts/${view.broadcastId}`);
  },
};
