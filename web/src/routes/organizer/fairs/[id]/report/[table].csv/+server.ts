import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import { requireOrganizer } from '#lib/server/organizer.ts';
import { csvResponse, fairTables } from '#lib/server/report-tables.ts';
import type { RequestHandler } from './$types';

/** One table of a fair's report as CSV: organizers only (the service checks again). */
export const GET: RequestHandler = async ({ locals, url, params }) => {
  const user = requireOrganizer(locals.user, url);
  const report = await loadOr404(() => services().reports.fairReport(user, routeId(params.id)));
  return csvResponse(fairTables(report), params.table, `fair-report`);
};
