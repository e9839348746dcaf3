/** What an organizer page's form actions answer, read the same way on every page. */
export interface ActionResult {
  /** Success: the form that answered, and what was done. */
  _form?: string;
  done?: string;
  /** Refusal: what was typed (with `_form`), and per-field codes (`form` for the whole form). */
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  refused?: { from: 'draft' | 'published' | 'live' | 'ended'; to: 'draft' | 'published' | 'live' | 'ended' };
}

/** The last result, sorted out for one of the page's forms. */
export function resultFor(form: unknown, name: string) {
  const result = (form ?? null) as ActionResult | null;
  const which = result?._form ?? (result?.values?._form as string | undefined);
  const mine = which === name ? result : null;
  return {
    done: mine?.done ?? null,
    errors: mine?.errors ?? {},
    refused: mine?.refused ?? null,
    /** What the user typed, else the saved value. */
    typed(key: string, current = ''): string {
      const value = mine?.values?.[key];
      return typeof value === 'string' ? value : current;
    },
  };
}
