import { redirect } from '@sveltejs/kit';
import type { IntegrationOwner } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { integrationActions, loadIntegrations } from '#lib/server/integrations.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const owner: IntegrationOwner = { kind: 'employer', employerId: routeId(params.id) };
  // Core decides: staff of this employer read, its owner manages.
  const settings = await loadOr404(() => loadIntegrations(user, owner));
  const employer = await services().employers.get(owner.employerId);
  return { employer: { id: employer.id, name: employer.name }, ...settings };
};

export const actions: Actions = integrationActions(({ params }) => ({ kind: 'employer', employerId: routeId(params.id!) }));
