import { fail, redirect, type Actions, type RequestEvent } from '@sveltejs/kit';
import type { Actor, DisplayOwner } from '@fairground/core';
import { field, formValues } from '#lib/server/form-values.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';

/** The screen a key opens, as an address (the key goes in `?key=`, exchanged on the first visit). */
export const screenPath = (owner: DisplayOwner) => (owner.kind === 'fair' ? `/fairs/${owner.fairId}/screen` : `/booths/${owner.boothId}/screen`);

/** A screens page's list of keys (never their secrets); core decides who may see it. */
export async function loadDisplayKeys(event: RequestEvent, owner: DisplayOwner) {
  const user = event.locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(event.url.pathname)}`);
  const keys = await loadOr404(() => services().displayKeys.list(user, owner));
  return {
    screenUrl: `${event.url.origin}${screenPath(owner)}`,
    keys: keys.map((k) => ({ id: k.id, name: k.name, locale: k.locale, prefix: k.prefix, createdAt: k.createdAt, revokedAt: k.revokedAt })),
  };
}

/** Issue and revoke, shared by the organizer's (fair) and the booth team's (booth) screens pages. */
export function displayKeyActions(ownerOf: (event: RequestEvent) => DisplayOwner): Actions {
  const act = async <T>(event: RequestEvent, form: string, values: Record<string, unknown>, run: (actor: Actor, owner: DisplayOwner) => Promise<T>) => {
    const outcome = await formAction(values, () => run(event.locals.user, ownerOf(event)));
    return outcome.ok ? { form, done: true, result: outcome.result } : fail(outcome.failure.status, { ...outcome.failure.data, form });
  };
  return {
    issue: async (event) => {
      const values = formValues(await event.request.formData());
      return act(event, 'issue', values, async (actor, owner) => {
        const { key } = await services().displayKeys.issue(actor, owner, { name: values.name, locale: values.locale });
        // Shown once, here: the address that opens the screen.
        return { address: `${event.url.origin}${screenPath(owner)}?key=${encodeURIComponent(key)}` };
      });
    },
    revoke: async (event) => {
      const data = await event.request.formData();
      return act(event, 'revoke', {}, (actor) => services().displayKeys.revoke(actor, field(data, 'keyId')));
    },
  };
}
