import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      // A chosen language (cookie) wins; otherwise the browser's; otherwise English.
      strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
    }),
    // SvelteKit 3 reads its configuration here (svelte.config.js is no longer used).
    sveltekit({
      preprocess: vitePreprocess(),
      // The platform mounts the built handler inside its own Express server (signaling/src/main.ts).
      adapter: adapter({ out: 'build' }),
      // Every page gets a fresh nonce for SvelteKit's own inline script; no other inline script,
      // no eval. 'self' in connect-src covers the same-origin websocket (CSP 3: ws/wss match
      // 'self'); WebRTC media is not fetched and needs no entry. Styles: Svelte writes style
      // attributes (and Chart.js sets them), so inline styles stay allowed; scripts do not.
      // The other headers (X-Frame-Options, Referrer-Policy, HSTS...) come from
      // signaling/src/http/security-headers.ts for every response.
      csp: {
        mode: 'nonce',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:', 'blob:'],
          'media-src': ['self', 'blob:'],
          'font-src': ['self', 'data:'],
          'connect-src': ['self'],
          'worker-src': ['self', 'blob:'],
          'frame-src': ['self'],
          'frame-ancestors': ['none'],
          'form-action': ['self'],
          'base-uri': ['self'],
          'object-src': ['none'],
        },
      },
    }),
  ],
});
