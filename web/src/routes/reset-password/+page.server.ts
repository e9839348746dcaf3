import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { auth } from '#lib/server/platform.ts';
import { fieldErrors } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const form = z
  .object({
    token: z.string().min(1).max(500),
    password: z.string().min(8, 'password_short').max(128, 'too_long'),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { message: 'passwords_differ', path: ['confirm'] });

// The token stays in the page (a hidden field), so following the link changes nothing: only the
// form does (mail scanners that open links cannot spend it).
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async ({ request, getClientAddress }) => {
    const data = Object.fromEntries(await request.formData());
    const parsed = form.safeParse(data);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      return fail(400, { errors: errors.token ? { form: 'invalid' } : errors });
    }
    const result = await auth().resetPassword(parsed.data.token, parsed.data.password, getClientAddress());
    if (!result.ok) return fail(result.reason === 'rate_limited' ? 429 : 400, { errors: { form: result.reason } as Record<string, string> });
    return { done: true };
  },
};
