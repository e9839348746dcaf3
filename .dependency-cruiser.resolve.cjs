// Module aliases for the boundary check (.dependency-cruiser.cjs): the web app's `#lib/*`
// (web/package.json "imports", SvelteKit 3's replacement of `$lib`), resolved to web/src/lib.
const path = require('node:path');

module.exports = { resolve: { alias: { '#lib': path.join(__dirname, 'web/src/lib') } } };
