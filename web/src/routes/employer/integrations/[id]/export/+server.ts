import { error, redirect } from '@sveltejs/kit';
import { candidatesCsv, candidatesJsonResume, CSV_CONTENT_TYPE, ServiceError } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { EXPORT_FIELDS } from '#lib/server/integrations.ts';
import { services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/**
 * The employer's candidates as a file, for its signed-in staff (the API's rules and filters:
 * core/src/candidate-export.ts). Reached by the picker on the integrations page (a GET form, so a
 * download needs no script); a refused choice goes back to that page with each field's error code.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  const employerId = routeId(params.id);
  const back = (errors: Record<string, string>): never => {
    const query = new URLSearchParams();
    for (const name of EXPORT_FIELDS) {
      const value = url.searchParams.get(name);
      if (value) query.set(name, value);
    }
    for (const [name, code] of Object.entries(errors)) query.set(`err_${name}`, code);
    redirect(303, `/employer/integrations/${employerId}?${query}#exports-heading`);
  };
  const format = url.searchParams.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') back({ format: 'invalid' });
  const scope = {
    fairId: url.searchParams.get('fairId') ?? undefined,
    boothId: url.searchParams.get('boothId') ?? undefined,
    from: url.searchParams.get('from') ?? undefined,
    to: url.searchParams.get('to') ?? undefined,
    outcome: url.searchParams.get('outcome') ?? undefined,
  };
  let rows;
  try {
    rows = await services().candidateExports.forMember(locals.user, employerId, scope);
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    if (e.code === 'INVALID') return back(e.fields);
    // A booth that is not the employer's, from an edited address: tell the form, as with a bad date.
    if (e.code === 'NOT_FOUND' && (scope.boothId || scope.fairId)) return back({ boothId: 'not_found' });
    error(e.code === 'NOT_AUTHORIZED' ? 403 : 404, e.message);
  }
  const date = new Date().toISOString().slice(0, 10);
  if (format === 'csv') {
    return new Response(candidatesCsv(rows), {
      headers: { 'content-type': CSV_CONTENT_TYPE, 'content-disposition': `attachment; filename="candidates-${date}.csv"` },
    });
  }
  return new Response(JSON.stringify(candidatesJsonResume(rows, url.origin)), {
    headers: { 'content-type': 'application/json', 'content-disposition': `attachment; filename="candidates-${date}.json"` },
  });
};
