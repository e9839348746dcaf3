import { redirect } from '@sveltejs/kit';
import type { IntegrationOwner } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { integrationActions, loadIntegrations } from '#lib/server/integrations.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const owner: IntegrationOwner = { kind: 'fair', fairId: routeId(params.id) };
  const settings = await loadOr404(() => loadIntegrations(user, owner));
  const fair = await loadOr404(() => services().fairs.get(user, owner.fairId));
  return { fair: { id: fair.id, title: fair.title }, ...settings };
};

export const actions: Actions = integrationActions(({ params }) => ({ kind: 'fair', fairId: routeId(params.id!) }));
