/** What a CSV download is sent as. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@|\uFF1D\uFF0B\uFF0D\uFF20\uFF5C]|^\s/u;

function cell(value: unknown): string {
  if (value == null) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  // RFC 4180: quote a field holding a comma, a quote or a line break; double the quotes inside.
  // Spreadsheets run a cell as a formula (or DDE) when it starts with =, +, -, @ or |, and some
  // skip leading whitespace or line breaks, or read full-width ＝＋－＠｜ as their ASCII forms
  // first: prefix all of those with a quote mark (OWASP CSV injection). Plain numbers stay numbers.
  const safe = FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * A CSV file that spreadsheet software opens correctly, Chinese included: UTF-8 with a byte-order
 * mark (Excel reads BOM-less files in the system's code page), CRLF line ends, RFC 4180 quoting.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  return BOM + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
