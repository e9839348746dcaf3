import { redirect } from '@sveltejs/kit';
import { formAction, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.user) redirect(303, '/sign-in?next=/profile/delete');
  return { email: locals.user.email };
};

export const actions: Actions = {
  /** Deletes the signed-in account after the password is confirmed; its sessions and open sockets end. */
  default: async ({ request, locals, cookies }) => {
    const password = String((await request.formData()).get('password') ?? '');
    const outcome = await formAction({}, () => services().users.deleteSelf(locals.user, password));
    if (!outcome.ok) return outcome.failure;
    // The sessions went with the account; the browser's cookies for them go too.
    for (const { name } of cookies.getAll()) if (name.startsWith('fg.') || name.startsWith('__Secure-fg.')) cookies.delete(name, { path: '/' });
    redirect(303, '/');
  },
};
