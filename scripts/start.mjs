// `npm start`: prepare (worker, web build), then run the platform in one Node process.
import { spawn } from 'node:child_process';
import { ensureSupportedNode } from './node-runtime.mjs';

// On a Node older than 22 this runs the script again under the pinned Node 24 (scripts/node-runtime.mjs).
await ensureSupportedNode();
const { prepare, ROOT } = await import('./prepare.mjs');

const env = { ...process.env, ...(await prepare()) };
const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
