import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { auth } from '#lib/server/platform.ts';
import { fieldErrors } from '#lib/server/forms.ts';
import type { Actions } from './$types';

const form = z.object({ email: z.string().trim().min(1, 'required').email('email').max(200, 'too_long') });

export const actions: Actions = {
  /** Answers the same whether or not the address has an account. */
  default: async ({ request, getClientAddress }) => {
    const data = Object.fromEntries(await request.formData());
    const email = typeof data.email === 'string' ? data.email : '';
    const parsed = form.safeParse(data);
    if (!parsed.success) return fail(400, { email, errors: fieldErrors(parsed.error) });
    const result = await auth().requestPasswordReset(parsed.data.email, getClientAddress());
    if (!result.ok) return fail(429, { email, errors: { form: 'rate_limited' } as Record<string, string> });
    return { sent: parsed.data.email };
  },
};
