import { m } from '#lib/paraglide/messages.js';

// Codes from the input schemas (@fairground/core/schemas) and service refusals, in words.
const messages: Record<string, () => string> = {
  required: m.error_required,
  too_long: m.error_too_long,
  email: m.error_email,
  number: m.error_number,
  too_small: m.error_too_small,
  too_large: m.error_too_large,
  too_many: m.error_too_many,
  invalid: m.error_invalid,
  salary_order: m.error_salary_order,
  date: m.error_date,
  end_before_start: m.error_end_before_start,
  password_short: m.error_password_short,
  unknown_host: m.error_unknown_host,
  file_empty: m.error_file_empty,
  file_too_large: m.error_file_too_large,
  file_type: m.error_file_type,
  file_missing: m.error_file_missing,
  file_quota: m.error_file_quota,
  file_rate_limited: m.error_file_rate_limited,
  already_at_fair: m.org_error_already_at_fair,
  email_taken: m.error_email_taken,
  rate_limited: m.sign_in_rate_limited,
  credentials: m.sign_in_failed,
  already_invited: m.rb_error_already_invited,
  invitation_declined: m.rb_error_invitation_declined,
  invitation_rate_limited: m.rb_error_invitation_rate_limited,
  fair_closed: m.rb_error_fair_closed,
  already_answered: m.rb_error_already_answered,
  contact: m.walkin_error_contact,
  UNAUTHENTICATED: m.error_UNAUTHENTICATED,
  NOT_AUTHORIZED: m.error_NOT_AUTHORIZED,
  NOT_FOUND: m.error_NOT_FOUND,
  CONFLICT: m.error_CONFLICT,
  INVALID: m.error_INVALID,
  QUEUE_CLOSED: m.queue_closed,
  QUEUE_FULL: m.queue_full,
  PANEL_FULL: m.handoff_panel_full,
  before_interview: m.hire_error_before_interview,
  MUTED: m.bchat_error_muted,
  RATE_LIMITED: m.sign_in_rate_limited,
  UNAVAILABLE: m.error_UNAVAILABLE,
  INTERNAL: m.error_INTERNAL,
};

/** A field's or form's error code as a sentence in the reader's language. */
export function errorText(code: string | undefined): string {
  if (!code) return '';
  return (messages[code] ?? m.error_invalid)();
}

/**
 * Codes whose words here say all there is: the server's own (English) message adds nothing.
 * PANEL_FULL has one meaning (the interview has its 4 people): without it here a recruiter read
 * the server's English sentence in every language.
 */
const GENERIC = new Set(['UNAVAILABLE', 'INTERNAL', 'UNAUTHENTICATED', 'NOT_AUTHORIZED', 'RATE_LIMITED', 'PANEL_FULL']);

/** A realtime refusal's code in the reader's language, or null when the server's message is more specific. */
export function genericErrorText(code: string): string | null {
  return GENERIC.has(code) && messages[code] ? messages[code]() : null;
}
