import type { Auth, AuthResult } from '@fairground/db';
import { EmployerService } from './employers.ts';
import { signUpSchema, type SignUpInput } from './schemas.ts';
import { validate } from './validate.ts';

/**
 * Registration: a seeker account, or an employer account together with the company it owns.
 * Validation happens before the account exists, so a bad form creates nothing.
 */
export async function signUp(
  auth: Auth,
  employers: EmployerService,
  input: SignUpInput,
  clientAddress: string,
): Promise<AuthResult> {
  const data = validate(signUpSchema, input);
  const result = await auth.signUp({ name: data.name, email: data.email, password: data.password, role: data.role }, clientAddress);
  if (result.ok && data.role === 'employer') {
    await employers.create(result.user, {
      name: data.employerName!,
      industry: 'other',
      size: '1-49',
      location: '—',
      description: '',
    });
  }
  return result;
}
