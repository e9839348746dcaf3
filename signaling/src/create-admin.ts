// `npm run create-admin -- --email you@example.org --name "Your Name"`: the first organizer of a
// real deployment (production never seeds the demo accounts). The password is read from stdin
// when piped, or prompted twice without echo on a terminal. Same config as the server
// (DATABASE_URL or the PGlite under DATA_DIR) and the same password storage as sign-up.
// Exit codes: 0 created, 1 bad configuration or failure, 2 bad arguments or password, 3 the email
// already has an account.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, createAuth } from '@fairground/db';
import { signUpSchema } from '@fairground/core/schemas';
import { authSecret } from './auth-secret.ts';
import { ConfigError, loadConfig } from './config.ts';

const USAGE = 'usage: npm run create-admin -- --email you@example.org --name "Your Name"  (password on stdin or prompted)';

class Exit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A piped stdin: its first line. A terminal: typed twice with echo off. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let data = '';
    for await (const chunk of stdin) data += String(chunk);
    return data.split(/\r?\n/)[0] ?? '';
  }
  const first = await promptHidden('Password: ');
  const again = await promptHidden('Password again: ');
  if (first !== again) throw new Exit(2, 'The two passwords differ; nothing was created.');
  return first;
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          done();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          done();
          reject(new Exit(1, 'Cancelled; nothing was created.'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  let args;
  try {
    ({ values: args } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new Exit(2, `${(error as Error).message}\n${USAGE}`);
  }
  if (!args.email) throw new Exit(2, USAGE);
  const config = loadConfig();
  const password = await readPassword();
  // The sign-up form's own rules (name, email, password length), so an operator's account is no weaker.
  const parsed = signUpSchema.safeParse({ name: args.name ?? 'Organizer', email: args.email, password, role: 'seeker' });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${String(i.path[0])}: ${i.message}`).join('\n');
    throw new Exit(2, `Not created:\n${problems}`);
  }

  const database = await connect({ url: config.DATABASE_URL, dataDir: join(config.DATA_DIR, 'pglite') });
  try {
    const auth = createAuth(database.db, {
      secret: config.AUTH_SECRET ?? authSecret(config.DATA_DIR),
      baseURL: config.ORIGIN ?? `http://localhost:${config.PORT}`,
    });
    const result = await auth.createAccount({ ...parsed.data, role: 'organizer' });
    if (!result.ok) {
      if (result.reason === 'email_taken') throw new Exit(3, `An account with ${parsed.data.email} already exists; nothing was changed.`);
      throw new Exit(2, 'The account could not be created (the password or email was refused).');
    }
    process.stdout.write(`Created organizer ${result.user.email}. Sign in at ${config.ORIGIN ?? `http://localhost:${config.PORT}`}/sign-in\n`);
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof Exit) {
      process.stderr.write(`${error.message}\n`);
      process.exit(error.code);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`create-admin failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
