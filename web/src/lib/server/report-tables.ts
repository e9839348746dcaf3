import { error } from '@sveltejs/kit';
import {
  toCsv,
  CSV_CONTENT_TYPE,
  SALARY_BANDS,
  OUTCOMES,
  CHANNELS,
  type ChannelSplit,
  type DemandRow,
  type Funnel,
  type ReportService,
  type SlotCounts,
} from '@fairground/core';
import { m } from '#lib/paraglide/messages.js';
import { jobTypeLabel } from '#lib/labels.ts';
import { sampleTime, zoneName, DEFAULT_TIME_ZONE } from '#lib/time.ts';

import { formatCell, type ReportTable } from '#lib/report-format.ts';
import { boothHiringTable, fairHiringTables } from './report-tables-hiring.ts';

export type { ReportTable };

type FairReport = Awaited<ReturnType<ReportService['fairReport']>>;
type BoothReport = Awaited<ReturnType<ReportService['boothReport']>>;
type BroadcastReport = Awaited<ReturnType<ReportService['broadcastReport']>>;

const outcomeLabel = { next_round: m.outcome_next_round, offer: m.outcome_offer, not_a_fit: m.outcome_not_a_fit, no_show: m.outcome_no_show } as const;

const funnelColumns = (): ReportTable['columns'] => [
  { label: m.stage_visited(), kind: 'int' },
  { label: m.stage_queued(), kind: 'int' },
  { label: m.stage_interviewed(), kind: 'int' },
  { label: m.stage_outcome(), kind: 'int' },
  { label: m.col_conversion(), kind: 'pct' },
  { label: m.col_visit_to_queue(), kind: 'pct' },
  { label: m.col_queue_to_interview(), kind: 'pct' },
  { label: m.col_entries(), kind: 'int' },
  { label: m.col_abandoned(), kind: 'int' },
  { label: m.col_abandonment(), kind: 'pct' },
  { label: m.col_called(), kind: 'int' },
  { label: m.col_no_shows(), kind: 'int' },
  { label: m.col_no_show_rate(), kind: 'pct' },
  { label: m.col_median_wait(), kind: 'min' },
  { label: m.col_median_interview(), kind: 'min' },
  ...OUTCOMES.map((o) => ({ label: outcomeLabel[o](), kind: 'int' as const })),
];

const funnelCells = (f: Funnel) => [
  f.visited,
  f.queued,
  f.interviewed,
  f.withOutcome,
  f.conversion,
  f.visitToQueue,
  f.queueToInterview,
  f.entries,
  f.abandoned,
  f.abandonment,
  f.called,
  f.noShows,
  f.noShowRate,
  f.medianWaitSeconds,
  f.medianInterviewSeconds,
  ...OUTCOMES.map((o) => f.outcomes[o]),
];

/** "8,000–11,999 CNY" from a band key such as `8000_11999 CNY`. */
export function bandLabel(key: string): string {
  const [band, currency = ''] = key.split(' ');
  const n = (v: number) => new Intl.NumberFormat('en').format(v);
  const index = SALARY_BANDS.findIndex((b) => b.key === band);
  if (index < 0) return key;
  const to = SALARY_BANDS[index]!.below;
  const from = index === 0 ? 0 : SALARY_BANDS[index - 1]!.below;
  if (index === 0) return m.band_under({ to: n(to), currency });
  if (!Number.isFinite(to)) return m.band_plus({ from: n(from), currency });
  return m.band_range({ from: n(from), to: n(to - 1), currency });
}

const demandRows = (rows: DemandRow[], label: (k: string) => string = (k) => k) => rows.map((r) => [label(r.key), r.jobs, r.headcount]);
const demandColumns = (first: string): ReportTable['columns'] => [
  { label: first, kind: 'text' },
  { label: m.col_jobs(), kind: 'int' },
  { label: m.col_headcount(), kind: 'int' },
];

const slotColumns = (): ReportTable['columns'] => [
  { label: m.slots_col_published(), kind: 'int' },
  { label: m.slots_col_booked(), kind: 'int' },
  { label: m.slots_col_kept(), kind: 'int' },
  { label: m.slots_col_no_show(), kind: 'int' },
];
const slotCells = (c: SlotCounts) => [c.published, c.booked, c.kept, c.noShow];

const channelLabel = { on_site: m.channel_on_site, online: m.channel_online } as const;

/** On-site (walk-ins) and online rows of the funnel: per booth, then the fair's (or booth's) total. */
function channelTable(rows: Array<{ name: string; channels: ChannelSplit }>): ReportTable {
  return {
    id: 'channels',
    title: m.channels_table_caption(),
    columns: [{ label: m.col_booth(), kind: 'text' }, { label: m.col_channel(), kind: 'text' }, ...funnelColumns()],
    rows: rows.flatMap((r) => CHANNELS.map((c) => [r.name, channelLabel[c](), ...funnelCells(r.channels[c])])),
  };
}

export function fairTables(report: FairReport): ReportTable[] {
  const d = report.demand;
  return [
    {
      id: 'slots',
      // Not the section's heading: two landmarks of one name are one too many (axe landmark-unique).
      title: m.slots_table_by_booth(),
      columns: [{ label: m.col_booth(), kind: 'text' }, ...slotColumns()],
      rows: [...report.booths.map((b) => [b.employerName, ...slotCells(b.slots)]), [m.report_totals(), ...slotCells(report.slots)]],
    },
    {
      id: 'funnel',
      title: m.funnel_table_caption(),
      columns: [{ label: m.col_booth(), kind: 'text' }, ...funnelColumns()],
      rows: [...report.booths.map((b) => [b.employerName, ...funnelCells(b.funnel)]), [m.report_totals(), ...funnelCells(report.total)]],
    },
    channelTable([...report.booths.map((b) => ({ name: b.employerName, channels: b.channels })), { name: m.report_totals(), channels: report.channels }]),
    {
      id: 'demand-jobs',
      title: m.demand_jobs(),
      columns: [
        { label: m.col_employer(), kind: 'text' },
        { label: m.col_job(), kind: 'text' },
        { label: m.col_headcount(), kind: 'int' },
        { label: m.col_location(), kind: 'text' },
        { label: m.col_job_type(), kind: 'text' },
        { label: m.col_salary_min(), kind: 'int' },
        { label: m.col_salary_max(), kind: 'int' },
        { label: m.col_currency(), kind: 'text' },
        { label: m.col_skills(), kind: 'text' },
      ],
      rows: d.jobs.map((j) => [
        j.employerName,
        j.title,
        j.headcount,
        j.location,
        jobTypeLabel(j.jobType),
        j.salaryMin,
        j.salaryMax,
        j.currency,
        j.skills.join('、'),
      ]),
    },
    { id: 'demand-skills', title: m.demand_by_skill(), columns: demandColumns(m.col_skill()), rows: demandRows(d.bySkill) },
    { id: 'demand-locations', title: m.demand_by_location(), columns: demandColumns(m.col_location()), rows: demandRows(d.byLocation) },
    {
      id: 'demand-job-types',
      title: m.demand_by_job_type(),
      columns: demandColumns(m.col_job_type()),
      rows: demandRows(d.byJobType, (k) => jobTypeLabel(k as Parameters<typeof jobTypeLabel>[0])),
    },
    { id: 'demand-salary-bands', title: m.demand_by_band(), columns: demandColumns(m.col_band()), rows: demandRows(d.bySalaryBand, bandLabel) },
    {
      id: 'broadcasts',
      title: m.br_fair_table(),
      columns: [
        { label: m.col_broadcast(), kind: 'text' },
        { label: m.col_starts(), kind: 'text' },
        { label: m.col_peak(), kind: 'int' },
        { label: m.col_views(), kind: 'int' },
        { label: m.col_unique(), kind: 'int' },
        { label: m.col_watch_total(), kind: 'min' },
        { label: m.col_watch_average(), kind: 'min' },
      ],
      rows: report.broadcasts.map((b) => [
        b.title,
        sampleTime(b.startsAt, report.fair.timeZone),
        b.audience.peak,
        b.audience.views,
        b.audience.unique,
        b.audience.watchSeconds,
        b.audience.averageWatchSeconds,
      ]),
    },
    ...fairHiringTables(report),
  ];
}

/** A broadcast's report: the summary (one measure a row) and the 5 s live-viewer series. */
export function broadcastTables(report: BroadcastReport): ReportTable[] {
  const s = report.stats;
  const zone = zoneName(DEFAULT_TIME_ZONE, report.broadcast.startsAt);
  const summary: Array<[string, number, 'int' | 'min']> = [
    [m.br_peak(), s.peak, 'int'],
    [m.br_views(), s.views, 'int'],
    [m.br_unique(), s.unique, 'int'],
    [m.col_watch_total(), s.watchSeconds, 'min'],
    [m.col_watch_average(), s.averageWatchSeconds, 'min'],
    // The replay's numbers next to the live ones (kept apart: a replay view is not a live view).
    [m.rp_report_views(), report.replay.views, 'int'],
    [m.rp_report_unique(), report.replay.unique, 'int'],
    [m.rp_csv_watch_total(), report.replay.watchSeconds, 'min'],
    [m.rp_csv_watch_average(), report.replay.averageWatchSeconds, 'min'],
    [m.rp_report_completed(), report.replay.completed, 'int'],
    [m.rp_report_completion(), report.replay.completionPercent, 'int'],
  ];
  return [
    {
      id: 'summary',
      title: m.br_summary_table(),
      columns: [
        { label: m.col_measure(), kind: 'text' },
        { label: m.col_value(), kind: 'text' },
      ],
      rows: summary.map(([label, value, kind]) => [label, formatCell(value, kind)]),
    },
    {
      id: 'samples',
      title: m.br_samples_table(),
      columns: [
        { label: m.col_time({ zone }), kind: 'text' },
        { label: m.col_time_utc(), kind: 'text' },
        { label: m.col_live_viewers(), kind: 'int' },
      ],
      rows: s.samples.map((p) => [sampleTime(p.at), p.at, p.live]),
    },
    pollTable(report.polls),
  ];
}

/** A broadcast's polls, one row per option: its votes, its share of the voters, the poll's state. */
function pollTable(polls: BroadcastReport['polls']): ReportTable {
  return {
    id: 'polls',
    title: m.bx_report_polls(),
    columns: [
      { label: m.bx_poll_question(), kind: 'text' },
      { label: m.bx_report_kind(), kind: 'text' },
      { label: m.bx_report_option(), kind: 'text' },
      { label: m.bx_report_votes(), kind: 'int' },
      { label: m.bx_report_share(), kind: 'pct' },
      { label: m.bx_report_voters(), kind: 'int' },
      { label: m.bx_report_state(), kind: 'text' },
    ],
    rows: polls.flatMap((p) =>
      p.options.map((option, i) => [
        p.question,
        p.multiple ? m.bx_poll_multiple() : m.bx_poll_single(),
        option,
        p.counts[i] ?? 0,
        p.voters ? (p.counts[i] ?? 0) / p.voters : null,
        p.voters,
        p.closedAt ? m.bx_poll_closed() : m.bx_poll_open(),
      ]),
    ),
  };
}

export function boothTables(report: BoothReport): ReportTable[] {
  const columns = funnelColumns();
  const cells = funnelCells(report.funnel);
  return [
    {
      id: 'funnel',
      title: m.funnel_table_caption_booth(),
      columns: [
        { label: m.col_measure(), kind: 'text' },
        { label: m.col_value(), kind: 'text' },
      ],
      // One measure a row: each value formatted by its own kind.
      rows: columns.map((c, i) => [c.label, formatCell(cells[i] ?? null, c.kind)]),
    },
    channelTable([{ name: report.booth.employerName, channels: report.channels }]),
    {
      id: 'slots',
      title: m.slots_report_heading(),
      columns: [
        { label: m.col_measure(), kind: 'text' },
        { label: m.col_value(), kind: 'int' },
      ],
      rows: slotColumns().map((c, i) => [c.label, slotCells(report.slots)[i]!]),
    },
    {
      id: 'ratings',
      title: m.ratings_heading(),
      columns: [
        { label: m.col_rating(), kind: 'text' },
        { label: m.col_count(), kind: 'int' },
      ],
      rows: report.ratings.map((r) => [r.rating == null ? m.rating_none() : String(r.rating), r.n]),
    },
    boothHiringTable(report),
  ];
}

/** The CSV download of one table, or a 404 for an unknown table name. */
export function csvResponse(tables: ReportTable[], id: string, filePrefix: string): Response {
  const table = tables.find((t) => t.id === id);
  if (!table) error(404, 'No such table');
  const body = toCsv(
    table.columns.map((c) => c.label),
    table.rows.map((r) => r.map((v, i) => formatCell(v, table.columns[i]!.kind))),
  );
  const name = `${filePrefix}-${table.id}.csv`;
  return new Response(body, {
    headers: {
      'content-type': CSV_CONTENT_TYPE,
      'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'cache-control': 'private, no-store',
    },
  });
}
