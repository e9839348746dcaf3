// Who may import whom (docs/ARCHITECTURE.md, "Packages and who may import whom"), checked by
// `npm run check:boundaries`, a step of `npm test`:
//
//   web ──(types, zod schemas)──▶ signaling/protocol
//   web ──(server-side only)────▶ core, db
//   signaling ──────────────────▶ core, db, media-server, demo (SEED_DEMO)
//   core ───────────────────────▶ db
//   media-server ───────────────▶ mediasoup   (nobody else imports mediasoup)
//   demo ───────────────────────▶ core, db    (the demo data, written through core's services)
//
// The rules read the product's source; tests (`*.test.ts`, test/, e2e/) and benchmarks (bench/)
// drive the whole platform and may import any package, but take part in the cycle check.
// Paths are the resolved files (workspaces are symlinks in node_modules, followed to their folders).

const TEST = '(^|/)(test|e2e)/|\\.test\\.ts$';
/** The web app's server-only modules (SvelteKit never sends these to the browser). */
const WEB_SERVER = '^web/src/(hooks\\.server\\.ts|lib/server/|.*\\.server\\.ts$|.*/\\+server\\.ts$)';
const MEDIASOUP = '(^|/)node_modules/mediasoup/';

// Every violation fails `npm run check:boundaries`: there is no baseline of tolerated ones (the
// import cycles of issue 18 are gone).

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles: a module and the modules it imports never import it back.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'db-imports-no-workspace',
      severity: 'error',
      comment: 'db/ is the bottom layer: it imports no other workspace (core depends on db, not the reverse).',
      from: { path: '^db/', pathNot: TEST },
      to: { path: '^(core|media-server|signaling|web|demo|e2e|test|bench|scripts)/' },
    },
    {
      name: 'core-imports-only-db',
      severity: 'error',
      comment: 'core/ holds the rules below every app: it may import db/ and nothing else of ours.',
      from: { path: '^core/', pathNot: TEST },
      to: { path: '^(media-server|signaling|web|demo|e2e|test|bench)/' },
    },
    {
      name: 'media-server-imports-no-workspace',
      severity: 'error',
      comment: 'media-server/ wraps mediasoup and knows nothing of the product (it could move behind an RPC).',
      from: { path: '^media-server/', pathNot: TEST },
      to: { path: '^(db|core|signaling|web|demo|e2e|test|bench)/' },
    },
    {
      name: 'only-media-server-imports-mediasoup',
      severity: 'error',
      comment: 'Only media-server/ imports mediasoup (bench/fanout measures bare mediasoup against it and may).',
      from: { pathNot: ['^media-server/', '^bench/fanout/'] },
      to: { path: MEDIASOUP },
    },
    {
      name: 'signaling-imports-no-app',
      severity: 'error',
      comment: 'signaling/ may import core, db, media-server and (to seed it) the demo data, never the web app.',
      from: { path: '^signaling/', pathNot: TEST },
      to: { path: '^(web|e2e|test|bench)/' },
    },
    {
      name: 'demo-writes-through-core',
      severity: 'error',
      comment: 'The demo data goes through core (and db for accounts), never through the apps.',
      from: { path: '^demo/', pathNot: TEST },
      to: { path: '^(media-server|signaling|web|e2e|test|bench)/' },
    },
    {
      name: 'web-imports-only-the-protocol-of-signaling',
      severity: 'error',
      comment: "web/ takes the typed protocol (types, zod schemas) from signaling, never signaling's server code.",
      from: { path: '^web/' },
      to: { path: '^signaling/', pathNot: '^signaling/src/protocol/' },
    },
    {
      name: 'web-imports-no-media-server-or-demo',
      severity: 'error',
      comment: 'web/ reaches media only through the protocol, and the demo data only through the running platform.',
      from: { path: '^web/' },
      to: { path: '^(media-server|demo|e2e|test|bench)/' },
    },
    {
      name: 'web-client-imports-no-server-code',
      severity: 'error',
      comment: "Browser code of web/ never imports db or core's server parts (core/src/schemas.ts is shared with forms); types alone are erased and allowed.",
      from: { path: '^web/src/', pathNot: WEB_SERVER },
      to: { path: ['^db/', '^core/'], pathNot: '^core/src/schemas\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    includeOnly: '^(db|core|media-server|signaling|web|demo|e2e|test|bench|scripts)/|(^|/)node_modules/mediasoup/',
    exclude: { path: '(^|/)(build|dist|\\.svelte-kit|migrations)/|^web/src/lib/paraglide/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    webpackConfig: { fileName: '.dependency-cruiser.resolve.cjs' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.svelte', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
