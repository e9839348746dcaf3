import { error, fail, type Cookies } from '@sveltejs/kit';
import { parseSetCookieHeader, toCookieOptions } from 'better-auth/cookies';
import { HTTP_STATUS, platform, ServiceError } from '@fairground/core';
import type { Db } from '@fairground/db';

/** The platform process's database, auth and services; reached only from server code. */
export const db = (): Db => platform().database.db;
export const auth = () => platform().auth;
export const services = () => platform().services;
export const routerRtpCapabilities = () => platform().routerRtpCapabilities();

/** Hands the auth library's Set-Cookie headers to SvelteKit, which sends them with the page. */
export function applyAuthCookies(cookies: Cookies, setCookies: string[]): void {
  for (const header of setCookies) {
    for (const [name, attributes] of parseSetCookieHeader(header)) {
      const options = toCookieOptions(attributes);
      cookies.set(name, attributes.value, { ...options, path: options.path ?? '/' });
    }
  }
}

/**
 * Runs a service call from a form action. Refusals become `fail()` with per-field codes (the form
 * keeps what the user typed: pass it as `values`); anything else is thrown on as a real error.
 */
export async function formAction<T>(values: Record<string, unknown>, run: () => Promise<T>) {
  try {
    return { ok: true as const, result: await run() };
  } catch (e) {
    if (e instanceof ServiceError) {
      return {
        ok: false as const,
        failure: fail(HTTP_STATUS[e.code], {
          values,
          errors: { ...e.fields, ...(Object.keys(e.fields).length ? {} : { form: e.code }) } as Record<string, string>,
        }),
      };
    }
    throw e;
  }
}

/** For load functions: a refusal becomes the matching error page (404, 403, ...). */
export async function loadOr404<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ServiceError) error(HTTP_STATUS[e.code], e.message);
    throw e;
  }
}
