import type { Auth, SignUpResult } from '@fairground/db';
import { EmployerService } from './employers.ts';
import { signUpSchema, type SignUpInput } from './schemas.ts';
import { validate } from './validate.ts';

/**
 * Registration: a seeker account, or an employer account together with the company it owns.
 * Validation happens before the account exists, so a bad form creates nothing. The answer does
 * not say whether the address already had an account (its owner is mailed instead); the new
 * account signs in from the link mailed to it.
 */
export async function signUp(
  auth: Auth,
  employers: EmployerService,
  input: SignUpInput,
  clientAddress: string,
): Promise<{ ok: true } | { ok: false; reason: Exclude<SignUpResult, { ok: true }>['reason'] }> {
  const data = validate(signUpSchema, input);
  const result = await auth.signUp({ name: data.name, email: data.email, password: data.password, role: data.role }, clientAddress);
  if (!result.ok) return result;
  if (result.created && data.role === 'employer') {
    await employers.create(result.created, {
      name: data.employerName!,
      industry: 'other',
      size: '1-49',
      location: '—',
      description: '',
    });
  }
  return { ok: true };
}
