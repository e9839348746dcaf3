import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { applyAuthCookies, auth } from '#lib/server/platform.ts';
import { fieldErrors, safeNext } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const form = z.object({
  email: z.string().trim().min(1, 'required').email('email'),
  password: z.string().min(1, 'required').max(200, 'too_long'),
});

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
};

export const actions: Actions = {
  default: async ({ request, cookies, url, getClientAddress }) => {
    const data = Object.fromEntries(await request.formData());
    const email = typeof data.email === 'string' ? data.email : '';
    const parsed = form.safeParse(data);
    if (!parsed.success) return fail(400, { email, errors: fieldErrors(parsed.error) });
    const result = await auth().signIn(parsed.data, getClientAddress());
    if (!result.ok) {
      return fail(result.reason === 'rate_limited' ? 429 : 400, { email, errors: { form: result.reason } as Record<string, string> });
    }
    applyAuthCookies(cookies, result.setCookies);
    redirect(303, safeNext(url.searchParams.get('next')));
  },
};
