/**
 * Builds the OHIF plugin bundles with esbuild (`npm run build`):
 *   dist/plugins/extension.mjs   the extension (React 18 bundled in: the OHIF dist does not share React)
 *   dist/plugins/mode.mjs        the mode
 *   dist/plugins/analysis-worker.mjs   the Web Worker that runs the analysis (when its source exists)
 * ESM for browsers, with source maps. onnxruntime-web is not bundled: the worker imports it at
 * runtime from the URL configured as `spineMri.ortBaseUrl` (default /ort/, onnxruntime-web's dist).
 * OHIF and cornerstone are not bundled either: they are reached through OHIF's services at runtime.
 */
import { build, type BuildOptions } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PLUGIN_ENTRIES } from './lib/plugin-files';

const root = resolve(__dirname, '..');
export const pluginsDir = join(root, 'dist', 'plugins');

const common: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  sourcemap: true,
  minify: process.env.SPINE_MINIFY === '1',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  logLevel: 'warning',
};

export async function buildPlugins(): Promise<string[]> {
  mkdirSync(pluginsDir, { recursive: true });
  const built: string[] = [];
  for (const [src, out] of PLUGIN_ENTRIES) {
    if (!existsSync(join(root, src))) {
      console.warn(`build: ${src} not found; skipping ${out}`);
      continue;
    }
    await build({ ...common, entryPoints: [join(root, src)], outfile: join(pluginsDir, out) });
    built.push(join(pluginsDir, out));
  }
  return built;
}

if (require.main === module) {
  const t0 = Date.now();
  buildPlugins()
    .then((files) => console.log(`Built ${files.map((f) => f.replace(root + '/', '')).join(', ')} in ${Date.now() - t0} ms`))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
