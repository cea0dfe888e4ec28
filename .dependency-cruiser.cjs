// The architecture, written down and checked (`npm run lint`):
//
//   src/app, src/elements (Lit, the page) ──► workers/*/client.ts ──► worker ──► runner ──► wasm
//          │                                                                       ▲
//          └──────────────► src/core (plain TypeScript) ◄──── src/cli ─────────────┘ (node.ts)
//
// Each rule below is one arrow that must NOT exist. A violation fails `npm test`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and modules impossible to read or test alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-plain-typescript',
      severity: 'error',
      comment:
        'src/core runs in the page, in workers and in Node alike: no DOM framework (Lit), no worker, element, app or CLI code, and no Node built-ins.',
      from: { path: '^src/core/' },
      to: { path: ['^node_modules/(lit|@lit|lit-html|lit-element)/', '^workers/', '^src/(elements|app|cli)/', '^wasm/'] },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      comment: 'src/core is shared with the browser: Node built-ins belong in src/cli or workers/*/node*.ts.',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'page-talks-to-workers-through-clients',
      severity: 'error',
      comment:
        'The page (app, elements) reaches a worker only through its client (workers/*/client.ts) and shared types: it never imports a worker, the qemu-img runner or its file systems. The upload resume store (IndexedDB) is shared: the page lists unfinished uploads from it, the worker writes it. base-path.ts is where the package user says where the worker and wasm are (setBasePath).',
      from: { path: '^src/(app|elements)/' },
      to: { path: '^workers/', pathNot: '^workers/([^/]+/(client|types)|upload/idb-state-store|base-path)\\.ts$' },
    },
    {
      name: 'page-never-loads-the-wasm',
      severity: 'error',
      comment: 'Only the qemu-img worker (and the Node runner) load the wasm glue; the page never does.',
      from: { path: '^src/(app|elements|core)/' },
      to: { path: '^wasm/' },
    },
    {
      name: 'wasm-glue-only-from-the-runner',
      severity: 'error',
      comment: 'The emscripten glue is loaded in one place: workers/qemu-img (emscripten.ts and the runner it serves).',
      from: { path: '^(src|workers/(hash|upload))/' },
      to: { path: '^workers/qemu-img/(emscripten|runner)\\.ts$' },
    },
    {
      name: 'cli-is-node-only',
      severity: 'error',
      comment: 'The CLI shares src/core with the page, never its Lit elements or app.',
      from: { path: '^src/cli/' },
      to: { path: ['^src/(elements|app)/', '^node_modules/(lit|@lit|lit-html|lit-element)/'] },
    },
    {
      name: 'workers-know-no-page',
      severity: 'error',
      comment: 'Workers serve the page; they do not import its elements, app or CLI.',
      from: { path: '^workers/' },
      to: { path: '^src/(elements|app|cli)/' },
    },
    {
      name: 'shipped-code-uses-no-dev-dependency',
      severity: 'error',
      comment: 'What the app and CLI ship must not need a devDependency at run time (an install without dev dependencies would break).',
      from: { path: '^(src|workers|bin)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|dist-cli|lib|wasm/build)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
