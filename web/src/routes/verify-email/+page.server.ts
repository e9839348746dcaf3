import { fail, redirect } from '@sveltejs/kit';
import { applyAuthCookies, auth } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

const homeOf = (role: string) => (role === 'seeker' ? '/profile' : role === 'employer' ? '/employer' : '/');

// Opening the link only shows a button: a mail scanner that follows links confirms nothing and
// signs nobody in. The POST spends the token.
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async ({ request, cookies, getClientAddress }) => {
    const token = String((await request.formData()).get('token') ?? '').slice(0, 2000);
    if (!token) return fail(400, { error: 'invalid' as const });
    const result = await auth().verifyEmail(token, getClientAddress());
    if (!result.ok) return fail(result.reason === 'rate_limited' ? 429 : 400, { error: result.reason });
    applyAuthCookies(cookies, result.setCookies);
    const user = await auth().userFor(new Headers({ cookie: result.setCookies.map((c) => c.split(';')[0]).join('; ') }));
    redirect(303, homeOf(user?.role ?? 'seeker'));
  },
};
