import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './cluster.ts';

/**
 * A Postgres server of the test's own (initdb into a temp dir, its own port and socket dir), so a
 * test can crash it and start it again without touching the machine's. Postgres refuses to run as
 * root: as root it runs as the `postgres` user the Debian package creates.
 */
function binDir(): string {
  // Debian keeps the server binaries out of PATH, one folder per major version.
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(debian, versions[0], 'bin');
  }
  return path.dirname(execFileSync('which', ['initdb'], { encoding: 'utf8' }).trim());
}

export class PrivatePostgres {
  child: ChildProcess | null = null;
  readonly #bin = binDir();
  readonly #asRoot = userInfo().uid === 0;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'fairground-pg-'));
    chmodSync(dir, 0o700);
    const pg = new PrivatePostgres(dir, await freePort());
    if (pg.#asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      chownSync(dir, uid, gid);
    }
    pg.#run(path.join(pg.#bin, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await pg.restart();
    return pg;
  }

  #command(bin: string, args: string[]): [string, string[]] {
    // setpriv execs the server itself (no process in between), so its pid is the postmaster's.
    return this.#asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', bin, ...args]] : [bin, args];
  }

  #run(bin: string, args: string[]): void {
    const [command, commandArgs] = this.#command(bin, args);
    execFileSync(command, commandArgs, { stdio: 'ignore' });
  }

  /** Starts the server (again) on its port, with the data it had. */
  async restart(): Promise<void> {
    const [command, args] = this.#command(path.join(this.#bin, 'postgres'), [
      '-D',
      path.join(this.dir, 'data'),
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('postgres did not start')), 30_000);
      child.once('exit', (code) => reject(new Error(`postgres exited with ${code}`)));
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (/database system is ready to accept connections/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /**
   * Crashes the server: SIGQUIT to the postmaster's pid is Postgres's "immediate shutdown" (what
   * `pg_ctl stop -m immediate` sends): every backend quits at once, nothing is flushed, and the
   * next start runs crash recovery from the WAL, as after a real crash.
   */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    process.kill(child.pid!, 'SIGQUIT');
    await exited;
  }

  async stop(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
