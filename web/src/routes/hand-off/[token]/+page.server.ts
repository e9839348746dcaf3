import { fail, redirect } from '@sveltejs/kit';
import { HTTP_STATUS, ServiceError } from '@fairground/core';
import { applyAuthCookies, auth, services } from '#lib/server/platform.ts';
import type { Actions } from './$types';

export const actions: Actions = {
  /**
   * Spends the kiosk's hand-off token (core/src/phone-hand-off.ts) and signs this phone in. Only on a
   * POST: opening the link (or a link preview fetching it) spends nothing.
   */
  default: async ({ params, cookies, getClientAddress }) => {
    try {
      const { next, setCookies } = await services().phoneHandOff.redeem(auth(), params.token, getClientAddress());
      applyAuthCookies(cookies, setCookies);
      redirect(303, next);
    } catch (e) {
      if (e instanceof ServiceError) return fail(HTTP_STATUS[e.code], { error: e.code });
      throw e;
    }
  },
};
