/**
 * The reader's corrected outlines (the labelmap as edited in the viewer with OHIF's brush and eraser) turned back
 * into what measureSpine measures: the vertebral bodies and discs as the reader left them, the dural sac and spinal
 * cord taken out (canal.ts and cord.ts find them by rule from the image and measureSpine paints them again), each segment's voxel count and
 * centroid counted afresh. Segment numbers, kinds and level names are kept; a segment erased entirely is dropped.
 */
import type { SegmentInfo, SpineReport } from './report';
import type { Labelmap, SpineVolume, Vec3 } from './volume';
import { labelCentroids } from './measure';

export interface EditedOutlines {
  /** A new labelmap: the edited one with the dural sac's and spinal cord's voxels set to 0. */
  labelmap: Labelmap;
  /** The bodies and discs still outlined, with their new voxel counts and centroids (LPS, mm); those whose voxels changed marked outlineCorrected. */
  segments: SegmentInfo[];
  /** Whether any body or disc voxel differs from the measured labelmap (edits to the dural sac alone do not count). */
  changed: boolean;
  /** Labels of the segments the reader erased entirely. */
  erased: string[];
  /** Segment numbers painted now that the measured labelmap lacks (segments added in OHIF's panel): not measured. */
  added: number[];
}

/**
 * @param shown the labelmap shown in the viewer (with the reader's edits), same dims as `measured`.
 * @param measured the labelmap the report was measured from (its dural sac included).
 * @param segments the report's segments (the reader's level names included).
 * @throws Error when the two labelmaps' dims differ.
 */
export function editedOutlines(volume: SpineVolume, shown: Labelmap, measured: Labelmap, segments: SegmentInfo[]): EditedOutlines {
  if (shown.dims.join() !== measured.dims.join()) throw new Error(`the labelmap shown (${shown.dims.join('×')}) is not the one measured (${measured.dims.join('×')})`);
  const outlined = outlinedSegments(segments);
  const values = new Uint8Array(shown.values.length);
  for (let p = 0; p < values.length; p++) values[p] = outlined.has(shown.values[p]) ? shown.values[p] : 0;
  const corrected = correctedSegments(shown.values, measured.values, outlined);
  const labelmap: Labelmap = { dims: [...shown.dims] as Vec3, values };
  const counts = labelCentroids(volume, labelmap);
  const kept = segments.filter((s) => outlined.has(s.segmentNumber));
  const before = labelsIn(measured.values);
  return {
    labelmap,
    segments: kept.filter((s) => counts.has(s.segmentNumber))
      .map((s) => ({ ...s, ...counts.get(s.segmentNumber)!, ...(corrected.has(s.segmentNumber) ? { outlineCorrected: true as const } : {}) })),
    changed: corrected.size > 0,
    erased: kept.filter((s) => !counts.has(s.segmentNumber)).map((s) => s.label),
    added: [...labelsIn(shown.values)].filter((v) => !before.has(v)).sort((a, b) => a - b),
  };
}

/** The segment numbers measured from their outlines: the bodies and discs (not the sac or cord, nor a segment the reader added in OHIF's panel). */
export function outlinedSegments(segments: SegmentInfo[]): Set<number> {
  return new Set(segments.filter((s) => s.kind === 'vertebral_body' || s.kind === 'disc').map((s) => s.segmentNumber));
}

/**
 * The outlined segments (their numbers) whose voxels differ between two labelmaps of the same images (voxel order
 * alike): both the segment that gained a voxel and the one that lost it. Other labels count as background.
 */
export function correctedSegments(shown: ArrayLike<number>, measured: ArrayLike<number>, outlined: Set<number>): Set<number> {
  const keep = (v: number) => (outlined.has(v) ? v : 0);
  const corrected = new Set<number>();
  for (let p = 0; p < shown.length; p++) {
    const now = keep(shown[p]), before = keep(measured[p]);
    if (now !== before) { corrected.add(now); corrected.add(before); }
  }
  corrected.delete(0);
  return corrected;
}

/** The non-zero values of a labelmap. */
function labelsIn(values: ArrayLike<number>): Set<number> {
  const found = new Set<number>();
  for (let p = 0; p < values.length; p++) if (values[p]) found.add(values[p]);
  return found;
}

/**
 * The report with its body and disc segments as the reader edited them and has not measured yet (new voxel counts
 * and centroids, outlineCorrected marks; segments erased entirely left out), the other segments and every finding as
 * measured: what a reader draft keeps beside the edited outlines, until Measure again measures them.
 */
export function withEditedOutlines(report: SpineReport, edited: EditedOutlines): SpineReport {
  const outlined = outlinedSegments(report.segments);
  const now = new Map(edited.segments.map((s) => [s.segmentNumber, s]));
  return { ...report, segments: report.segments.flatMap((s) => (outlined.has(s.segmentNumber) ? (now.has(s.segmentNumber) ? [now.get(s.segmentNumber)!] : []) : [s])) };
}
