import { fail, type Actions, type RequestEvent } from '@sveltejs/kit';
import { apiSchemas, eventTypesFor, WEBHOOK_EVENT_TYPES, type Actor, type IntegrationOwner } from '@fairground/core';
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
  const eventTypes = eventTypesFor(owner.kind);
  return {
    owner,
    eventTypes,
    /** The types some feature sends today (the others can be chosen, and arrive once built). */
    emitted: eventTypes.filter((t) => WEBHOOK_EVENT_TYPES[t].emitted),
    scopes: owner.kind === 'employer' ? [...apiSchemas.API_SCOPES] : [...apiSchemas.FAIR_SCOPES],
    endpoints: await Promise.all(endpoints.map(async (e) => ({ ...e, deliveries: await webhooks.deliveries(actor, e.id, 20) }))),
    tokens: await apiTokens.list(actor, owner),
  };
}

/** The form actions of the settings page; `ownerOf` reads whose settings from the request. */
export function integrationActions(ownerOf: (event: RequestEvent) => IntegrationOwner): Actions {
  const act = async <T>(event: RequestEvent, form: string, values: Record<string, unknown>, run: (actor: Actor, owner: IntegrationOwner) => Promise<T>) => {
    const outcome = await formAction(values, () => run(event.locals.user, ownerOf(event)));
    // A refusal names its form too, so the page shows the errors beside the form that was sent.
    return outcome.ok ? { form, done: true, result: outcome.result } : fail(outcome.failure.status, { ...outcome.failure.data, form });
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
    updateEndpoint: async (event) => {
      const data = await event.request.formData();
      const values = formValues(data, { lists: ['events'] });
      return act(event, 'edit', values, async (actor) => {
        const endpoint = await services().webhooks.update(actor, idField(data, 'endpointId'), {
          url: values.url,
          description: values.description ?? '',
          events: values.events,
        });
        return { endpointId: endpoint.id };
      });
    },
    rotate: async (event) => {
      const data = await event.request.formData();
      return act(event, 'rotate', {}, (actor) => services().webhooks.rotateSecret(actor, idField(data, 'endpointId')));
    },
    pause: async (event) => {
      const data = await event.request.formData();
      return act(event, 'pause', {}, async (actor) => ({
        paused: (await services().webhooks.setPaused(actor, idField(data, 'endpointId'), field(data, 'paused') === 'true')).paused,
      }));
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

/** The fields of the candidate export picker, as the page's query string carries them back. */
export const EXPORT_FIELDS = ['boothId', 'from', 'to', 'outcome', 'format'] as const;

/**
 * The export picker's state after a refused download: the export route (export/+server.ts)
 * validates in core and, on a refusal, sends the browser back here with the values and each
 * field's error code (`err_<field>=<code>`) in the query, so the form shows what to correct.
 */
export function exportForm(url: URL): { values: Record<string, string>; errors: Record<string, string> } {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const name of EXPORT_FIELDS) {
    const value = url.searchParams.get(name);
    if (value) values[name] = value.slice(0, 100);
    const code = url.searchParams.get(`err_${name}`);
    if (code && /^[a-z_]{1,40}$/.test(code)) errors[name] = code;
  }
  return { values, errors };
}
