/** How a column's values read: text, a count, a rate (0-1), or seconds shown as minutes. */
export type ColumnKind = 'text' | 'int' | 'pct' | 'min';

/** One report table, as the page shows it and the CSV download writes it. */
export interface ReportTable {
  /** The CSV's name in its URL: `<id>.csv`. */
  id: string;
  title: string;
  columns: Array<{ label: string; kind: ColumnKind }>;
  rows: Array<Array<string | number | null>>;
}

/** A value as the page and the CSV show it: rates as percentages, times as minutes. */
export function formatCell(value: string | number | null, kind: ColumnKind): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  if (kind === 'pct') return `${(value * 100).toFixed(1)}%`;
  if (kind === 'min') return (value / 60).toFixed(1);
  return String(value);
}
