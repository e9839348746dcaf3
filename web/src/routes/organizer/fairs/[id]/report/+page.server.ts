import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import { requireOrganizer } from '#lib/server/organizer.ts';
import { fairTables } from '#lib/server/report-tables.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = requireOrganizer(locals.user, url);
  const report = await loadOr404(() => services().reports.fairReport(user, routeId(params.id)));
  return {
    fair: report.fair,
    total: report.total,
    booths: report.booths.map((b) => ({ boothId: b.boothId, employerName: b.employerName, funnel: b.funnel })),
    totals: report.demand.totals,
    topSkills: report.demand.bySkill.slice(0, 12),
    broadcasts: report.broadcasts.map((b) => ({ broadcastId: b.broadcastId, title: b.title })),
    tables: fairTables(report),
  };
};
