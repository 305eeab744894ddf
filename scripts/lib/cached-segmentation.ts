/**
 * Node-only, for the evaluation scripts: the network's class labelmap of one image, cached on disk per
 * image, model checksum, logit offsets and input code (the network is the slow part), then instances and level names
 * (anatomy.ts labelAnatomy) computed afresh, as segmentSpine does — so anatomy or canal changes
 * re-run in seconds and a new model never reads an old cache.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { classIndex, outlineOffsets, parseModelManifest, type ModelManifest } from '../../extension/src/pipeline/model';
import { segmentClasses, type ClassLabelmap } from '../../extension/src/pipeline/segment';
import { labelAnatomy, type AnatomyOptions, type AnatomyResult } from '../../extension/src/pipeline/anatomy';
import type { SpineVolume } from '../../extension/src/pipeline/volume';
import { loadNodeModels, type NodeModels } from './node-models';
import { NETWORK_INPUT_SOURCES, sourceDigest } from './source-digest';

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
  // The cached labelmap depends on the network file, the logit offsets that draw the outline and the code that feeds the network.
  const offsets = outlineOffsets(manifest);
  const modelKey = manifest.sha256.slice(0, 8) + (offsets ? `-o${offsets.join('_')}` : '') + `-c${sourceDigest(NETWORK_INPUT_SOURCES).slice(0, 8)}`;
  let models: Promise<NodeModels> | undefined; // loaded on the first cache miss only
  return {
    manifest,
    async segment(volume, key, options = {}) {
      const file = cacheDir && resolve(cacheDir, `${key}-${modelKey}.classes.gz`);
      const n = volume.voxels.length;
      let classes: ClassLabelmap;
      if (file && existsSync(file)) {
        const bytes = new Uint8Array(gunzipSync(readFileSync(file))); // class per voxel, then the outline when the model has one
        classes = { dims: [...volume.dims], values: bytes.subarray(0, n), ...(bytes.length === 2 * n ? { outline: bytes.subarray(n) } : {}) };
      } else {
        const m = await (models ??= loadNodeModels(manifestPath, 2));
        classes = await segmentClasses(volume, m.backend, m.manifest);
        if (file) writeFileSync(file, gzipSync(classes.outline ? Buffer.concat([classes.values, classes.outline]) : classes.values));
      }
      return labelAnatomy(classes, volume, idx, options);
    },
    async release() { await (await models)?.release(); },
  };
}
