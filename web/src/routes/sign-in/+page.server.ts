import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { createSession, verifyCredentials } from '@fairground/db';
import { SESSION_COOKIE } from '@fairground/signaling/protocol';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

const form = z.object({
  email: z.string().trim().min(1, 'required').email('email'),
  password: z.string().min(1, 'required').max(200),
});

/** Only same-site paths, so the form cannot be used to bounce users to another site. */
const safeNext = (value: string | null) => (value && /^\/(?!\/)/.test(value) ? value : '/');

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
};

export const actions: Actions = {
  default: async ({ request, cookies, url }) => {
    const data = Object.fromEntries(await request.formData());
    const email = typeof data.email === 'string' ? data.email : '';
    const parsed = form.safeParse(data);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      return fail(400, { email, errors });
    }
    const user = await verifyCredentials(db(), parsed.data.email, parsed.data.password);
    if (!user) return fail(400, { email, errors: { form: 'credentials' } as Record<string, string> });
    const session = await createSession(db(), user.id);
    cookies.set(SESSION_COOKIE, session.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: url.protocol === 'https:',
      expires: session.expiresAt,
    });
    redirect(303, safeNext(url.searchParams.get('next')));
  },
};
