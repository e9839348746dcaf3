import { error, redirect } from '@sveltejs/kit';
import { candidatesCsv, candidatesJsonResume, CSV_CONTENT_TYPE } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/** The employer's candidates as a file, for its signed-in staff (the API's rules: core/src/candidate-export.ts). */
export const GET: RequestHandler = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const format = url.searchParams.get('format');
  if (format !== 'csv' && format !== 'json') error(400, 'format must be csv or json');
  const scope = { fairId: url.searchParams.get('fairId') ?? undefined, boothId: url.searchParams.get('boothId') ?? undefined };
  const rows = await loadOr404(() => services().candidateExports.forMember(locals.user, routeId(params.id), scope));
  if (format === 'csv') {
    return new Response(candidatesCsv(rows), { headers: { 'content-type': CSV_CONTENT_TYPE, 'content-disposition': 'attachment; filename="candidates.csv"' } });
  }
  return new Response(JSON.stringify(candidatesJsonResume(rows, url.origin)), {
    headers: { 'content-type': 'application/json', 'content-disposition': 'attachment; filename="candidates.json"' },
  });
};
