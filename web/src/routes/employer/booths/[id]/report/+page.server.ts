import { redirect } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import { boothTables } from '#lib/server/report-tables.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const report = await loadOr404(() => services().reports.boothReport(locals.user, routeId(params.id)));
  return { fair: report.fair, booth: report.booth, funnel: report.funnel, tables: boothTables(report) };
};
