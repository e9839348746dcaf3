import { error } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import { broadcastTables, csvResponse } from '#lib/server/report-tables.ts';
import type { RequestHandler } from './$types';

/** One table of a broadcast's report as CSV: organizers and the broadcast's hosts (the service checks). */
export const GET: RequestHandler = async ({ locals, params }) => {
  if (!locals.user) error(401, 'Sign in first');
  const report = await loadOr404(() => services().reports.broadcastReport(locals.user, routeId(params.id)));
  return csvResponse(broadcastTables(report), params.table, 'broadcast-report');
};
