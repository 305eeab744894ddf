/**
 * Node-only, for the evaluation scripts: the network's class labelmap of one image, cached on disk per
 * image and model checksum (the network is the slow part), then instances and level names
 * (anatomy.ts labelAnatomy) computed afresh, as segmentSpine does — so anatomy or canal changes
 * re-run in seconds and a new model never reads an old cache.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { classIndex, parseModelManifest, type ModelManifest } from '../../extension/src/pipeline/model';
import { segmentClasses } from '../../extension/src/pipeline/segment';
import { labelAnatomy, type AnatomyOptions, type AnatomyResult } from '../../extension/src/pipeline/anatomy';
import type { Labelmap, SpineVolume } from '../../extension/src/pipeline/volume';
import { loadNodeModels, type NodeModels } from './node-models';

export interface CachedSegmenter {
  manifest: ModelManifest;
  /** @param key a file-name-safe name of the image (e.g. the SPIDER series); no caching when the segmenter has no cache folder. */
  segment(volume: SpineVolume, key: string, options?: AnatomyOptions): Promise<AnatomyResult>;
  release(): Promise<void>;
}

/** @param cacheDir folder for the class labelmaps (created); undefined = always run the network. */
export function cachedSegmenter(manifestPath: string, cacheDir?: string): CachedSegmenter {
  const manifest = parseModelManifest(readFileSync(manifestPath, 'utf8'));
  const idx = { vertebralBody: classIndex(manifest, 'vertebral_body'), disc: classIndex(manifest, 'disc') };
  if (cacheDir) mkdirSync(cacheDir, { recursive: true });
  let models: Promise<NodeModels> | undefined; // loaded on the first cache miss only
  return {
    manifest,
    async segment(volume, key, options = {}) {
      const file = cacheDir && resolve(cacheDir, `${key}-${manifest.sha256.slice(0, 8)}.classes.gz`);
      let classes: Labelmap;
      if (file && existsSync(file)) classes = { dims: [...volume.dims], values: new Uint8Array(gunzipSync(readFileSync(file))) };
      else {
        const m = await (models ??= loadNodeModels(manifestPath, 2));
        classes = await segmentClasses(volume, m.backend, m.manifest);
        if (file) writeFileSync(file, gzipSync(classes.values));
      }
      return labelAnatomy(classes, volume, idx, options);
    },
    async release() { await (await models)?.release(); },
  };
}
