/**
 * Segmentation: every sagittal slice of a SpineVolume → preprocess → network → argmax → classes
 * mapped back (nearest neighbour) onto the exact source voxel grid, and the calibrated outline from the
 * logits sampled bilinearly at each source voxel (preprocess.ts outlineToSource). Framework-free.
 */
import type { Labelmap, SpineVolume } from './volume';
import { outlineOffsets, type InferenceBackend, type ModelManifest } from './model';
import { canonicalSlice, intensityMap, labelsToSource, outlineToSource, sagittalGeometry, sliceValues, type IntensityMap } from './preprocess';

export type SegmentStage = 'preprocess' | 'inference' | 'postprocess';

export interface SegmentOptions {
  /** Called after each unit of work: stage, units done, units in that stage. */
  onProgress?: (stage: SegmentStage, done: number, total: number) => void;
  /** Cancels between slices; the promise then rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
}

/**
 * Argmax over classes of logits laid out [C][H][W] → Uint8Array [H][W] of class indices, offsets[c]
 * (default 0) added to class c's logits first.
 * @throws Error when logits.length is not C·H·W.
 */
export function argmaxClasses(logits: Float32Array, nClasses: number, h: number, w: number, offsets?: readonly number[]): Uint8Array {
  const n = h * w;
  if (logits.length !== nClasses * n) throw new Error(`logits length ${logits.length} != ${nClasses}×${h}×${w}`);
  const add = offsets ?? new Array<number>(nClasses).fill(0);
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    let best = logits[p] + add[0];
    let arg = 0;
    for (let c = 1; c < nClasses; c++) {
      const v = logits[c * n + p] + add[c];
      if (v > best) {
        best = v;
        arg = c;
      }
    }
    out[p] = arg;
  }
  return out;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error('Segmentation cancelled');
}

/** The network's class per voxel and, when the manifest has logit offsets, the calibrated outline. */
export interface ClassLabelmap extends Labelmap {
  /** Inside the outline (a structure class still wins with output.logitOffsets added), the structure class the bilinearly sampled logits favour there; else 0. */
  outline?: Uint8Array;
}

/**
 * Segment every sagittal slice. Returns a labelmap in the exact source geometry whose values are
 * the model's CLASS indices (manifest.output.classes, e.g. 0 background, 1 vertebral body, 2 disc) —
 * not yet segment numbers (anatomy.ts turns classes into instances and segment numbers) — plus the
 * outline mask when the manifest carries logit offsets.
 * @throws Error for a non-sagittal volume (see sagittalGeometry) or a backend failure; the
 *   signal's reason when aborted.
 */
export async function segmentClasses(
  volume: SpineVolume,
  backend: InferenceBackend,
  manifest: ModelManifest,
  opts: SegmentOptions = {},
): Promise<ClassLabelmap> {
  const g = sagittalGeometry(volume, manifest);
  const nSlices = volume.dims[2];
  const nClasses = manifest.output.classes.length;
  const norm = manifest.input.normalisation;
  const volumeMap: IntensityMap | undefined = norm.scope === 'volume' ? intensityMap(volume.voxels, norm) : undefined;
  const values = new Uint8Array(volume.voxels.length);
  const offsets = outlineOffsets(manifest);
  const outline = offsets ? new Uint8Array(volume.voxels.length) : undefined;
  opts.onProgress?.('preprocess', 1, 1);
  for (let k = 0; k < nSlices; k++) {
    checkAbort(opts.signal);
    const map = volumeMap ?? intensityMap(sliceValues(volume, k), norm);
    const input = canonicalSlice(volume, g, k, map);
    const logits = await backend.run(input, g.height, g.width);
    const classes = argmaxClasses(logits, nClasses, g.height, g.width);
    labelsToSource(g, classes, volume.dims, k, values);
    if (outline && offsets) outlineToSource(g, logits, offsets, volume.dims, k, outline);
    opts.onProgress?.('inference', k + 1, nSlices);
  }
  checkAbort(opts.signal);
  return { dims: [...volume.dims], values, ...(outline ? { outline } : {}) };
}
