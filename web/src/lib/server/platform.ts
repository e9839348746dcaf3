import type { Cookies } from '@sveltejs/kit';
import { parseSetCookieHeader, toCookieOptions } from 'better-auth/cookies';
import { platformServices, type Db } from '@fairground/db';

/** The platform process's database; the web app reaches it only from server code. */
export const db = (): Db => platformServices().database.db;

export const auth = () => platformServices().auth;

/** Hands the auth library's Set-Cookie headers to SvelteKit, which sends them with the page. */
export function applyAuthCookies(cookies: Cookies, setCookies: string[]): void {
  for (const header of setCookies) {
    for (const [name, attributes] of parseSetCookieHeader(header)) {
      const options = toCookieOptions(attributes);
      cookies.set(name, attributes.value, { ...options, path: options.path ?? '/' });
    }
  }
}
