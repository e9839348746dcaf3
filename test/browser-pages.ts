import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';

declare global {
  interface Window {
    __peerConnections?: RTCPeerConnection[];
    /** Set by the test on a loaded page: still there later means the page was never reloaded. */
    __sameDocument?: boolean;
  }
}

/**
 * Debian's Chromium with a fake camera and microphone that needs no click to share them, for the
 * integration tests that drive the real pages across several node processes. `extraArgs` adds
 * what one test needs on top (say, trusting coturn's self-signed TLS key).
 */
export function launchFakeCameraChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--no-sandbox',
      '--disable-gpu',
      ...extraArgs,
    ],
  });
}

/**
 * Opens `url` in a new context (camera and microphone allowed, every RTCPeerConnection recorded in
 * `window.__peerConnections` so the test can read its stats), signed in with `cookie` if given,
 * waits until the page has hydrated, and marks the loaded document (`window.__sameDocument`). The
 * context is added to `contexts` for the caller to close.
 */
export async function openTrackedPage(browser: Browser, contexts: BrowserContext[], url: string, cookie?: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  contexts.push(context);
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.__peerConnections = [];
    class Tracked extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        window.__peerConnections!.push(this);
      }
    }
    window.RTCPeerConnection = Tracked as typeof RTCPeerConnection;
  });
  if (cookie) await addSessionCookie(context, cookie, url);
  const page = await context.newPage();
  await page.goto(url);
  // Hydrated (web/src/routes/+layout.svelte marks it): a click any earlier would be lost.
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await page.evaluate(() => (window.__sameDocument = true));
  return page;
}

/** Signs `context` in with a `Cookie` header's pairs. Cookies belong to the host, not the port: one sign-in serves every node (and the balancer). */
export function addSessionCookie(context: BrowserContext, cookie: string, url: string): Promise<void> {
  return context.addCookies(
    cookie.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: new URL(url).origin };
    }),
  );
}

/** test/cross-node-media.page.ts bundled for the browser: the page-side client (`window.fg`) the socket-level media tests drive. */
export async function buildMediaPageBundle(): Promise<string> {
  const built = await build({
    entryPoints: [new URL('./cross-node-media.page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    write: false,
    platform: 'browser',
  });
  return built.outputFiles[0]!.text;
}

/** A page on `nodeUrl` (its /healthz: no app page around it), signed in with `cookie`, running `bundle`. */
export async function openBundlePage(browser: Browser, nodeUrl: string, cookie: string, bundle: string): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true, permissions: ['camera'] });
  await addSessionCookie(context, cookie, nodeUrl);
  const p = await context.newPage();
  await p.goto(`${nodeUrl}/healthz`);
  await p.addScriptTag({ content: bundle });
  return p;
}
