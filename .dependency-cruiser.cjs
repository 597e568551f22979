/**
 * The import rules that keep the architecture (README "How the code is laid out"): a folder may
 * import only the layers below it; pipeline/ is the framework and knows no feature; a source never
 * imports another source; nothing imports a cycle. `npm run lint:deps` checks them (part of `npm test`).
 *
 * Layers, lowest first:
 *   core  <  text  <  io, native  <  catalog, fetch  <  pipeline  <  tokenize  <  models
 *         <  filters, dedup (features)  <  sources/<name> (features)  <  exec, mix, report  <  app  <  cli
 */
const below = (...layers) => `^src/(?!(${layers.join('|')})/)`;

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'A cycle makes two modules one; break it by moving the shared part down a layer.', from: {}, to: { circular: true } },
    { name: 'core-is-the-bottom', severity: 'error', from: { path: '^src/core/' }, to: { path: below('core') } },
    { name: 'text-layer', severity: 'error', from: { path: '^src/text/' }, to: { path: below('core', 'text') } },
    { name: 'io-layer', severity: 'error', from: { path: '^src/(io|native)/' }, to: { path: below('core', 'text', 'io', 'native') } },
    { name: 'catalog-and-fetch-layer', severity: 'error', from: { path: '^src/(catalog|fetch)/' }, to: { path: below('core', 'text', 'io', 'native', 'catalog', 'fetch') } },
    {
      name: 'pipeline-is-the-framework',
      severity: 'error',
      comment: 'pipeline/ imports no source, step, executor, mix, report or CLI module: the composition root (src/app) passes them in.',
      from: { path: '^src/pipeline/' },
      to: { path: below('core', 'text', 'io', 'catalog', 'fetch', 'pipeline') },
    },
    { name: 'tokenize-layer', severity: 'error', from: { path: '^src/tokenize/' }, to: { path: below('core', 'text', 'io', 'native', 'catalog', 'fetch', 'pipeline', 'tokenize') } },
    { name: 'models-layer', severity: 'error', from: { path: '^src/models/' }, to: { path: below('core', 'text', 'io', 'native', 'catalog', 'fetch', 'pipeline', 'tokenize', 'models') } },
    {
      name: 'filters-are-a-feature',
      severity: 'error',
      comment: 'filters/ may use the layers below it, not dedup/ (a sibling feature), sources/ or the application.',
      from: { path: '^src/filters/' },
      to: { path: below('core', 'text', 'io', 'native', 'catalog', 'fetch', 'pipeline', 'tokenize', 'models', 'filters') },
    },
    {
      name: 'dedup-is-a-feature',
      severity: 'error',
      from: { path: '^src/dedup/' },
      to: { path: below('core', 'text', 'io', 'native', 'catalog', 'fetch', 'pipeline', 'tokenize', 'models', 'dedup') },
    },
    {
      name: 'sources-are-features',
      severity: 'error',
      comment: 'A source uses the shared layers (and the dedup mechanics), never another source nor the application.',
      from: { path: '^src/sources/' },
      to: { path: below('core', 'text', 'io', 'native', 'catalog', 'fetch', 'pipeline', 'tokenize', 'models', 'filters', 'dedup', 'sources') },
    },
    {
      name: 'no-sibling-sources',
      severity: 'error',
      comment: 'One source = one folder; what two sources share belongs in a lower layer.',
      from: { path: '^src/sources/([^/]+)/' },
      to: { path: '^src/sources/', pathNot: '^src/sources/$1/' },
    },
    {
      name: 'executors-run-the-framework',
      severity: 'error',
      from: { path: '^src/exec/' },
      to: { path: below('core', 'text', 'io', 'native', 'catalog', 'fetch', 'pipeline', 'exec') },
    },
    {
      name: 'no-sibling-executors',
      severity: 'error',
      from: { path: '^src/exec/([^/]+)/' },
      to: { path: '^src/exec/', pathNot: '^src/exec/$1/' },
    },
    {
      name: 'mix-and-report-are-applications',
      severity: 'error',
      from: { path: '^src/(mix|report)/' },
      to: { path: '^src/(app|cli|exec|sources|filters|dedup|models)/' },
    },
    { name: 'only-the-cli-imports-the-cli', severity: 'error', from: { path: '^src/', pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    { name: 'only-the-cli-imports-the-app', severity: 'error', from: { path: '^src/', pathNot: '^src/(app|cli)/' }, to: { path: '^src/app/' } },
    { name: 'src-never-imports-tests', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench|scripts)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
