/**
 * segmentSpine: the one call the viewer, the CLI and the grading code use to go from a sagittal
 * SpineVolume to instance segments with level names. Framework-free.
 */
import type { Labelmap, SpineVolume } from './volume';
import type { SegmentInfo } from './report';
import { classIndex, type InferenceBackend, type ModelManifest } from './model';
import { segmentClasses, type SegmentOptions } from './segment';
import { labelAnatomy, type AnatomyOptions, type LevelNaming } from './anatomy';

export interface SegmentSpineOptions extends SegmentOptions, AnatomyOptions {}

export interface SegmentSpineResult {
  /** Values = segmentNumber of `segments` (0 background), exact geometry of the input volume. */
  labelmap: Labelmap;
  /** Superior→inferior, segmentNumber 1..N. */
  segments: SegmentInfo[];
  levelNaming: LevelNaming;
  /** Model class per voxel (manifest.output.classes indices), before instance separation. */
  classLabelmap: Labelmap;
  /** Backend name and wall time of the whole call, seconds. */
  run: { backend: string; seconds: number };
}

/**
 * Segment vertebral bodies and discs of a sagittal series and name their levels.
 * @throws Error when the manifest has no 'vertebral_body' class, the volume is not sagittal, the
 *   backend fails; the AbortSignal's reason when cancelled.
 */
export async function segmentSpine(
  volume: SpineVolume,
  backend: InferenceBackend,
  manifest: ModelManifest,
  opts: SegmentSpineOptions = {},
): Promise<SegmentSpineResult> {
  const t0 = Date.now();
  const vertebralBody = classIndex(manifest, 'vertebral_body');
  if (vertebralBody < 0) throw new Error(`Model ${manifest.name} has no 'vertebral_body' output class`);
  const classLabelmap = await segmentClasses(volume, backend, manifest, opts);
  opts.onProgress?.('postprocess', 0, 1);
  const anatomy = labelAnatomy(classLabelmap, volume, { vertebralBody, disc: classIndex(manifest, 'disc') }, opts);
  opts.onProgress?.('postprocess', 1, 1);
  return { ...anatomy, classLabelmap, run: { backend: backend.name, seconds: (Date.now() - t0) / 1000 } };
}
