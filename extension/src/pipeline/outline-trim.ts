/**
 * Trim segments to the network's calibrated outline. Trained with an ignored 2.5 mm ring around every label,
 * the network draws vertebral bodies and discs beyond the experts' outline (8–43 % too large on the held-out
 * cases); the manifest's logit offsets (scripts/fit-logit-offsets.ts) mark which voxels are inside the outline
 * (segment.ts ClassLabelmap.outline). Instances and level names are found before trimming, so trimming never
 * changes what is found or how it is named. Framework-free.
 */
import type { Labelmap, SpineVolume, Vec3 } from './volume';
import { voxelToLps } from './volume';
import type { SegmentInfo } from './report';

/** A segment that would lose more than this share of its voxels is kept whole (a thin degenerate disc, a fragment). */
export const MAX_TRIMMED_FRACTION = 0.5;

/**
 * Removes from each segment (labelmap values = segment numbers, changed in place) its voxels outside `outline`
 * (1 = inside, same voxel order), except for discs inferred by rule and segments that would lose more than
 * MAX_TRIMMED_FRACTION. Returns the segments with voxelCount and centroidLps (DICOM LPS, mm) of the trimmed ones
 * recomputed.
 */
export function trimToOutline(labelmap: Labelmap, segments: SegmentInfo[], outline: Uint8Array, volume: SpineVolume): SegmentInfo[] {
  const n = segments.length + 1;
  const total = new Float64Array(n), outside = new Float64Array(n);
  const values = labelmap.values;
  for (let p = 0; p < values.length; p++) {
    const s = values[p];
    if (!s) continue;
    total[s]++;
    if (!outline[p]) outside[s]++;
  }
  const trim = segments.map((seg) => !seg.inferred && outside[seg.segmentNumber] > 0 && outside[seg.segmentNumber] <= MAX_TRIMMED_FRACTION * total[seg.segmentNumber]);
  if (!trim.some(Boolean)) return segments;
  const [nI, nJ] = labelmap.dims;
  const sum = Array.from({ length: n }, () => [0, 0, 0, 0]);
  for (let p = 0; p < values.length; p++) {
    const s = values[p];
    if (!s || !trim[s - 1]) continue;
    if (!outline[p]) {
      values[p] = 0;
      continue;
    }
    const a = sum[s];
    a[0] += p % nI;
    a[1] += Math.floor(p / nI) % nJ;
    a[2] += Math.floor(p / (nI * nJ));
    a[3]++;
  }
  return segments.map((seg, k) => {
    if (!trim[k]) return seg;
    const [i, j, kk, count] = sum[seg.segmentNumber];
    const centroid: Vec3 = voxelToLps(volume, i / count, j / count, kk / count);
    return { ...seg, voxelCount: count, centroidLps: centroid };
  });
}
