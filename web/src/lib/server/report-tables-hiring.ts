import type { HiringFigures, InvitationFigures, ReportService } from '@fairground/core';
import { m } from '#lib/paraglide/messages.js';
import { sampleTime } from '#lib/time.ts';
import type { ReportTable } from '#lib/report-format.ts';

type FairReport = Awaited<ReturnType<ReportService['fairReport']>>;
type BoothReport = Awaited<ReturnType<ReportService['boothReport']>>;

/** The funnel past the interview (issue 15): resumes received, next rounds, offers, hires; then invitations sent and accepted. */
const hiringColumns = (): ReportTable['columns'] => [
  { label: m.hire_col_resumes(), kind: 'int' },
  { label: m.hire_col_next_round(), kind: 'int' },
  { label: m.hire_col_offers(), kind: 'int' },
  { label: m.hire_col_offers_accepted(), kind: 'int' },
  { label: m.hire_col_hires(), kind: 'int' },
  { label: m.hiring_col_invitations_sent(), kind: 'int' },
  { label: m.hiring_col_invitations_accepted(), kind: 'int' },
];
const hiringCells = (h: HiringFigures, i: InvitationFigures) => [h.resumesReceived, h.nextRound, h.offers, h.offersAccepted, h.hires, i.sent, i.accepted];

const respondentLabel = (r: 'seeker' | 'employer') => (r === 'seeker' ? m.survey_respondent_seeker() : m.survey_respondent_employer());

/** The fair report's hiring and survey tables (on the page and as CSV). */
export function fairHiringTables(report: FairReport): ReportTable[] {
  return [
    {
      id: 'hiring',
      title: m.hire_table(),
      columns: [{ label: m.col_booth(), kind: 'text' }, ...hiringColumns()],
      rows: [
        ...report.booths.map((b) => [b.employerName, ...hiringCells(b.hiring, b.invitations)]),
        [m.report_totals(), ...hiringCells(report.hiring, report.invitations)],
      ],
    },
    {
      id: 'survey',
      title: m.survey_table_summary(),
      columns: [
        { label: m.survey_col_respondent(), kind: 'text' },
        { label: m.survey_col_answers(), kind: 'int' },
        { label: m.survey_col_average(), kind: 'text' },
      ],
      rows: report.survey.summary.map((s) => [respondentLabel(s.respondent), s.answers, s.averageRating == null ? '—' : s.averageRating.toFixed(2)]),
    },
    {
      id: 'survey-answers',
      title: m.survey_table_answers(),
      columns: [
        { label: m.survey_col_answered(), kind: 'text' },
        { label: m.survey_col_respondent(), kind: 'text' },
        { label: m.survey_col_rating(), kind: 'int' },
        { label: m.survey_col_comments(), kind: 'text' },
      ],
      rows: report.survey.answers.map((a) => [sampleTime(a.answeredAt, report.fair.timeZone), respondentLabel(a.respondent), a.rating, a.comments]),
    },
  ];
}

/** The booth report's hiring table (one measure a row). */
export function boothHiringTable(report: BoothReport): ReportTable {
  const columns = hiringColumns();
  const cells = hiringCells(report.hiring, report.invitations);
  return {
    id: 'hiring',
    title: m.hire_table(),
    columns: [
      { label: m.col_measure(), kind: 'text' },
      { label: m.col_count(), kind: 'int' },
    ],
    rows: columns.map((c, i) => [c.label, cells[i] ?? 0]),
  };
}
