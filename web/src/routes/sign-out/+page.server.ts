import { redirect } from '@sveltejs/kit';
import { deleteSession } from '@fairground/db';
import { SESSION_COOKIE } from '@fairground/signaling/protocol';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async ({ cookies }) => {
    const token = cookies.get(SESSION_COOKIE);
    if (token) await deleteSession(db(), token);
    cookies.delete(SESSION_COOKIE, { path: '/' });
    redirect(303, '/');
  },
};
