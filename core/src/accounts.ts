import type { Auth, Db, SessionUser, SignUpResult } from '@fairground/db';
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
  // An employer's company is created in the sign-up's own transaction: an account never exists
  // without it (nor it without the account).
  const withCompany =
    data.role === 'employer'
      ? (tx: Db, user: SessionUser) =>
          employers
            .withDb(tx)
            .create(user, { name: data.employerName!, industry: 'other', size: '1-49', location: '—', description: '' })
            .then(() => undefined)
      : undefined;
  const result = await auth.signUp({ name: data.name, email: data.email, password: data.password, role: data.role }, clientAddress, withCompany);
  return result.ok ? { ok: true } : result;
}
