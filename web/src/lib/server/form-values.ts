/** What a form sent, as the schemas take it: text fields as strings, checkbox groups as lists. */
export type FormValues = Record<string, string | string[]>;

/**
 * Reads a submitted form's text fields. Fields named in `lists` (checkbox groups) always come back
 * as arrays, empty when nothing was ticked; files are left out (see `formFile`); fields in `omit`
 * (passwords) are never echoed back to the page.
 */
export function formValues(data: FormData, { lists = [], omit = [] }: { lists?: string[]; omit?: string[] } = {}): FormValues {
  const values: FormValues = {};
  for (const key of lists) values[key] = [];
  for (const [key, value] of data) {
    if (typeof value !== 'string' || omit.includes(key)) continue;
    if (lists.includes(key)) (values[key] as string[]).push(value);
    else values[key] = value;
  }
  return values;
}

/** The file chosen in a file input, or null when none was (browsers then send an empty part). */
export async function formFile(data: FormData, name: string): Promise<{ name: string; bytes: Uint8Array } | null> {
  const file = data.get(name);
  if (!(file instanceof File) || (file.size === 0 && file.name === '')) return null;
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** A single text field, or '' when absent. */
export const field = (data: FormData, name: string): string => {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * An id sent by a form (which record to act on; never who may act: the services check that).
 * Anything but a UUID becomes the nil id, which no record has, so the service answers NOT_FOUND
 * instead of the database failing on a malformed value.
 */
export const idField = (data: FormData, name: string): string => {
  const value = field(data, name).trim();
  return UUID.test(value) ? value : NIL;
};
