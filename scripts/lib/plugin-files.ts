/** The viewer's plugin bundles: source entry point → file in pluginsDir, served at /plugins/ (scripts/build.ts builds them, the gateway's /health checks them). */
export const PLUGIN_ENTRIES: [string, string][] = [
  ['extension/src/index.ts', 'extension.mjs'],
  ['mode/src/index.ts', 'mode.mjs'],
  ['extension/src/ohif/analysis-worker.ts', 'analysis-worker.mjs'],
];
