import { redirect } from '@sveltejs/kit';
import { isOrganizer } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import { broadcastTables } from '#lib/server/report-tables.ts';
import type { PageServerLoad } from './$types';

/**
 * A broadcast's audience report: organizers and the broadcast's hosts (who need not be
 * organizers, so it lives beside the broadcast's page, not under /organizer). The service decides.
 */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const report = await loadOr404(() => services().reports.broadcastReport(locals.user, routeId(params.id)));
  const organizer = isOrganizer(locals.user);
  return {
    broadcast: report.broadcast,
    fair: organizer ? report.fair : null,
    stats: report.stats,
    replay: report.replay,
    tables: broadcastTables(report),
  };
};
