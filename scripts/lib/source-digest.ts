/**
 * Node-only: a sha256 over source files, for the evaluation caches, so that a cache written before the pipeline
 * code changed is not read as if it were current. Paths are relative to the working directory (the repository root,
 * as the npm scripts run); a folder stands for every .ts file below it, in sorted order.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

function tsFilesBelow(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => tsFilesBelow(join(path, name))).filter((f) => f.endsWith('.ts'));
}

/** Hex sha256 of the named files and of every .ts file below the named folders (paths and contents). */
export function sourceDigest(paths: string[]): string {
  const h = createHash('sha256');
  for (const p of paths) for (const f of tsFilesBelow(resolve(p))) h.update(f.slice(resolve('.').length)).update(readFileSync(f));
  return h.digest('hex');
}

/** The code that turns an image into the pipeline's per-disc results: the whole pipeline and the evaluation helpers. */
export const PIPELINE_SOURCES = ['extension/src/pipeline', 'scripts/lib'];
/** The code that turns an image into the network's class labelmap (input preparation, inference, manifest reading). */
export const NETWORK_INPUT_SOURCES = ['extension/src/pipeline/preprocess.ts', 'extension/src/pipeline/segment.ts', 'extension/src/pipeline/model.ts'];
