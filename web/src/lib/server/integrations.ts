import type { Actions, RequestEvent } from '@sveltejs/kit';
import { apiSchemas, eventTypesFor, type Actor, type IntegrationOwner } from '@fairground/core';
import { field, formValues, idField } from '#lib/server/form-values.ts';
import { formAction, services } from '#lib/server/platform.ts';

/**
 * The integration settings of one owner (an employer, or a fair's organizers): webhook endpoints
 * with their recent deliveries, and API tokens. Shared by the employer's and the organizer's
 * pages; every decision is core's (core/src/webhooks.ts, core/src/api-tokens.ts).
 */
export async function loadIntegrations(actor: Actor, owner: IntegrationOwner) {
  const { webhooks, apiTokens } = services();
  const endpoints = await webhooks.list(actor, owner);
  return {
    owner,
    eventTypes: eventTypesFor(owner.kind),
    scopes: owner.kind === 'employer' ? [...apiSchemas.API_SCOPES] : [...apiSchemas.FAIR_SCOPES],
    endpoints: await Promise.all(endpoints.map(async (e) => ({ ...e, deliveries: await webhooks.deliveries(actor, e.id, 20) }))),
    tokens: await apiTokens.list(actor, owner),
  };
}

/** The form actions of the settings page; `ownerOf` reads whose settings from the request. */
export function integrationActions(ownerOf: (event: RequestEvent) => IntegrationOwner): Actions {
  const act = async <T>(event: RequestEvent, form: string, values: Record<string, unknown>, run: (actor: Actor, owner: IntegrationOwner) => Promise<T>) => {
    const outcome = await formAction(values, () => run(event.locals.user, ownerOf(event)));
    return outcome.ok ? { form, done: true, result: outcome.result } : outcome.failure;
  };
  return {
    createEndpoint: async (event) => {
      const data = await event.request.formData();
      const values = formValues(data, { lists: ['events'] });
      return act(event, 'endpoint', values, async (actor, owner) => {
        const { secret } = await services().webhooks.create(actor, owner, { url: values.url, description: values.description ?? '', events: values.events });
        return { secret };
      });
    },
    rotate: async (event) => {
      const data = await event.request.formData();
      return act(event, 'rotate', {}, (actor) => services().webhooks.rotateSecret(actor, idField(data, 'endpointId')));
    },
    pause: async (event) => {
      const data = await event.request.formData();
      return act(
        event,
        'pause',
        {},
        async (actor) => void (await services().webhooks.setPaused(actor, idField(data, 'endpointId'), field(data, 'paused') === 'true')),
      );
    },
    removeEndpoint: async (event) => {
      const data = await event.request.formData();
      return act(event, 'remove', {}, (actor) => services().webhooks.remove(actor, idField(data, 'endpointId')));
    },
    replay: async (event) => {
      const data = await event.request.formData();
      return act(event, 'replay', {}, (actor) => services().webhooks.replay(actor, idField(data, 'deliveryId')));
    },
    createToken: async (event) => {
      const data = await event.request.formData();
      const values = formValues(data, { lists: ['scopes'] });
      return act(event, 'token', values, async (actor, owner) => ({ token: (await services().apiTokens.create(actor, owner, values)).token }));
    },
    revokeToken: async (event) => {
      const data = await event.request.formData();
      return act(event, 'revoke', {}, (actor) => services().apiTokens.revoke(actor, idField(data, 'tokenId')));
    },
  };
}
