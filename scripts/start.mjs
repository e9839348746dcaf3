// `npm start`: prepare (worker, web build), then run the platform in one Node process.
import { spawn } from 'node:child_process';
import { prepare, ROOT } from './prepare.mjs';

const env = { ...process.env, ...(await prepare()) };
const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
