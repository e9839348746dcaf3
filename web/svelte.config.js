import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // The platform mounts the built handler inside its own Express server (signaling/src/main.ts).
    adapter: adapter({ out: 'build' }),
  },
};
