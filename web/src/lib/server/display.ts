import { redirect, type RequestEvent } from '@sveltejs/kit';
import { DISPLAY_COOKIE_NAME, DISPLAY_LOCALES, ServiceError, type DisplayGrant, type DisplayLocale } from '@fairground/core';
import { cookieMaxAge, cookieName, getLocale } from '#lib/paraglide/runtime.js';
import { services } from './platform.ts';

/** Why a screen shows no content: no key yet, a key that stopped working, or too many wrong keys from here. */
export type DisplayProblem = 'needs_key' | 'revoked' | 'rate_limited';

export type OpenedDisplay = { grant: DisplayGrant; problem: null; locale: DisplayLocale } | { grant: null; problem: DisplayProblem; locale: DisplayLocale };

/** A display session lasts as long as its key (revoking the key ends it); the cookie just needs to outlive a long fair. */
const COOKIE_DAYS = 90;

function localeOf(url: URL, grant: DisplayGrant | null): DisplayLocale {
  const asked = url.searchParams.get('lang');
  if (asked && (DISPLAY_LOCALES as readonly string[]).includes(asked)) return asked as DisplayLocale;
  return grant?.locale ?? 'zh-CN';
}

/**
 * A screen page's door (hall or booth screen). `?key=` is exchanged once for a display session
 * (an httpOnly cookie, also sent with the page's socket handshake) and the address is reloaded
 * without the key, so it stays out of the history and the screen's later requests. The session
 * opens only the screen its key was issued for.
 */
export async function openDisplay(event: RequestEvent, screen: { kind: 'fair'; fairId: string } | { kind: 'booth'; boothId: string }): Promise<OpenedDisplay> {
  const { url, cookies } = event;
  const key = url.searchParams.get('key');
  if (key) {
    try {
      const { sessionToken } = await services().displayKeys.exchange(key, event.getClientAddress());
      cookies.set(DISPLAY_COOKIE_NAME, sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: url.protocol === 'https:',
        maxAge: COOKIE_DAYS * 24 * 3600,
      });
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      return { grant: null, problem: e.code === 'RATE_LIMITED' ? 'rate_limited' : 'revoked', locale: localeOf(url, null) };
    }
    const clean = new URL(url);
    clean.searchParams.delete('key');
    redirect(303, `${clean.pathname}${clean.search}`);
  }
  const token = cookies.get(DISPLAY_COOKIE_NAME);
  const grant = await services().displayKeys.session(token);
  const fits =
    grant && (screen.kind === 'fair' ? grant.kind === 'fair' && grant.fairId === screen.fairId : grant.kind === 'booth' && grant.boothId === screen.boothId);
  const locale = localeOf(url, fits ? grant : null);
  // The whole page (labels, numbers, <html lang>) in the screen's language: a hall PC shows only
  // this screen, so its language cookie is set to the key's (or `?lang=`) and the page reloaded once.
  if (fits && getLocale() !== locale) {
    cookies.set(cookieName, locale, { path: '/', httpOnly: false, maxAge: cookieMaxAge });
    redirect(303, `${url.pathname}${url.search}`);
  }
  if (!fits) return { grant: null, problem: token && !grant ? 'revoked' : 'needs_key', locale };
  return { grant, problem: null, locale };
}
