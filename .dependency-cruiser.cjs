/**
 * What may import what. `npm test` runs this (`npm run lint:deps`) and fails on any rule
 * below. docs/architecture.md draws the same layers.
 *
 * The API is one app (app.ts) over capability folders (checks/, links/, mail/, subscribers/,
 * tenants/, ledger/, console/, health/, widget/, docs/), which sit on http/ (middleware, errors, validation,
 * views) and db/ (schema, repository, dialect adapters); @heed/shared is the pure core under
 * all of them. A request walks down these layers and never comes back up.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: two modules that need each other are one module, or one of them is in the wrong layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-is-the-core',
      severity: 'error',
      comment: '@heed/shared is the pure domain core: it imports nothing of the API, the widget or the console.',
      from: { path: '^packages/shared/' },
      to: { path: '^packages/(api|widget|console)/' },
    },
    {
      name: 'shared-core-without-zod',
      severity: 'error',
      comment: 'The engine, time and subscriber rules of @heed/shared run in the widget, which ships no zod: only the schemas module may import it.',
      from: { path: '^packages/shared/src/(engine|time|subscriber)' },
      to: { path: ['node_modules/zod/', '^packages/shared/src/(schemas|index)\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'widget-without-zod-or-api',
      severity: 'error',
      comment: 'The widget ships to browsers: no zod (size), and nothing of the API (it speaks to it over HTTP). Types inferred from the schemas are fine: they vanish at build.',
      from: { path: '^packages/widget/src/' },
      to: { path: ['node_modules/zod/', '^packages/api/', '^packages/shared/src/(schemas|index)\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'console-without-zod-or-api',
      severity: 'error',
      comment: 'The console ships to browsers and speaks to the API over HTTP like anyone: no zod, nothing of the API or the widget. Types inferred from the schemas are fine.',
      from: { path: '^packages/console/src/' },
      to: { path: ['node_modules/zod/', '^packages/(api|widget)/', '^packages/shared/src/(schemas|index)\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'db-below-http-and-routes',
      severity: 'error',
      comment: 'The data layer never reaches up into HTTP, routes or capabilities: it stores rows and hands them back.',
      from: { path: '^packages/api/src/db/' },
      to: { path: ['^packages/api/src/(http|checks|links|mail|webhooks|imports|subscribers|tenants|ledger|health|widget|docs|console)/', '^packages/api/src/(app|env|serve|server|demo)\\.ts$', '\\.routes\\.ts$'] },
    },
    {
      name: 'http-below-capabilities',
      severity: 'error',
      comment: 'http/ (middleware, errors, validation, views) serves every capability and depends on none of their routes.',
      from: { path: '^packages/api/src/http/' },
      to: { path: ['\\.routes\\.ts$', '^packages/api/src/(app|serve|server|demo)\\.ts$'] },
    },
    {
      name: 'routes-only-from-the-app',
      severity: 'error',
      comment: 'A sub-app (*.routes.ts) is mounted by app.ts alone: capabilities share services, not routes.',
      from: { path: '^packages/api/src/', pathNot: '^packages/api/src/app\\.ts$' },
      to: { path: '\\.routes\\.ts$' },
    },
    {
      name: 'no-reaching-into-tests-or-bench',
      severity: 'error',
      comment: 'Shipped code never imports tests, benchmarks or scripts.',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^packages/[^/]+/(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle of types is still a cycle in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js'] },
  },
}
