import type { ChildProcess } from 'node:child_process';

export interface StackNode {
  index: number;
  port: number;
  /** Direct address, bypassing Caddy. */
  url: string;
  child: ChildProcess;
}

export interface Stack {
  /** https://localhost:PORT through Caddy (its local CA). */
  url: string;
  dir: string;
  nodes: StackNode[];
  turnUrls: string[];
  turnSecret: string;
  /** Base64 SHA-256 of coturn's TLS key (self-signed): Chromium's `--ignore-certificate-errors-spki-list`. */
  turnTlsSpki: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  nodes?: number;
  httpsPort?: number;
  databaseUrl: string;
  redisUrl: string;
  workerBin: string;
  webHandler: string;
  turnSecret?: string;
  env?: Record<string, string>;
  log?: (line: string) => void;
  quiet?: boolean;
  /** Aborting it while the stack starts stops what is up and makes startStack reject. */
  signal?: AbortSignal;
}

export function freePort(): Promise<number>;
export function missingPackages(): string[];
export function startStack(options: StackOptions): Promise<Stack>;
