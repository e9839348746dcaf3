// Module aliases for the boundary check (.dependency-cruiser.cjs): SvelteKit's `$lib`, which
// web/.svelte-kit/tsconfig.json declares only after `svelte-kit sync`.
const path = require('node:path');

module.exports = { resolve: { alias: { $lib: path.join(__dirname, 'web/src/lib') } } };
