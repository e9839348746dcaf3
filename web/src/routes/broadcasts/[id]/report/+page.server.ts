import { redirect } from '@sveltejs/kit';
import { isOrganizer } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';
import { broadcastTables } from '#lib/server/report-tables.ts';
import type { Actions, PageServerLoad } from './$types';

/**
 * A broadcast's audience report: organizers and the broadcast's hosts (who need not be
 * organizers, so it lives beside the broadcast's page, not under /organizer). The service decides.
 */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const report = await loadOr404(() => services().reports.broadcastReport(locals.user, routeId(params.id)));
  const organizer = isOrganizer(locals.user);
  const replay = await services().recordings.replayFor(locals.user, report.broadcast.id);
  return {
    /** The replay's status panel (ReplayStatus): hosts and organizers, who see the report anyway. */
    replayStatus: replay?.canManage ? { status: replay.status, progress: replay.progress, error: replay.error, durationMs: replay.durationMs } : null,
    broadcast: report.broadcast,
    fair: organizer ? report.fair : null,
    stats: report.stats,
    replay: report.replay,
    tables: broadcastTables(report),
  };
};

export const actions: Actions = {
  /** A host or organizer composes a failed replay again (the service checks; the job is sent on its event). */
  retryReplay: async ({ locals, params }) => {
    const done = await formAction({}, () => services().recordings.retry(locals.user, routeId(params.id)));
    return done.ok ? { retried: true } : done.failure;
  },
};
