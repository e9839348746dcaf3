import { error } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import { boothTables, csvResponse } from '#lib/server/report-tables.ts';
import type { RequestHandler } from './$types';

/** One table of a booth's report as CSV: the employer's staff (and organizers) only. */
export const GET: RequestHandler = async ({ locals, params }) => {
  if (!locals.user) error(401, 'Sign in first');
  const report = await loadOr404(() => services().reports.boothReport(locals.user, routeId(params.id)));
  return csvResponse(boothTables(report), params.table, 'booth-report');
};
