import { fail, redirect } from '@sveltejs/kit';
import { signUp } from '@fairground/core';
import { auth, formAction, services } from '#lib/server/platform.ts';
import { field, formValues } from '#lib/server/form-values.ts';
import type { Actions, PageServerLoad } from './$types';

/** Where a new (or already signed-in) account starts. */
const homeOf = (role: string) => (role === 'seeker' ? '/profile' : role === 'employer' ? '/employer' : '/');

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, homeOf(locals.user.role));
  return { role: url.searchParams.get('role') === 'employer' ? 'employer' : 'seeker' };
};

export const actions: Actions = {
  default: async ({ request, getClientAddress }) => {
    const data = await request.formData();
    const values = formValues(data, { omit: ['password'] });
    const role = field(data, 'role');
    const input = {
      name: field(data, 'name'),
      email: field(data, 'email'),
      password: field(data, 'password'),
      role: role as 'seeker' | 'employer',
      // A seeker's form may still carry a company name typed before switching: it is ignored.
      employerName: role === 'employer' ? field(data, 'employerName') : undefined,
    };
    const outcome = await formAction(values, () => signUp(auth(), services().employers, input, getClientAddress()));
    if (!outcome.ok) return outcome.failure;
    const result = outcome.result;
    if (!result.ok) {
      const errors: Record<string, string> = { form: result.reason === 'rate_limited' ? 'rate_limited' : 'INVALID' };
      return fail(result.reason === 'rate_limited' ? 429 : 400, { values, errors });
    }
    // The same answer whether or not the address had an account: the mail says which.
    return { sent: String(values.email ?? '').trim() };
  },
};
