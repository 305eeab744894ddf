/**
 * Trim segments to the network's calibrated outline. Trained with an ignored 2.5 mm ring around every label,
 * the network draws vertebral bodies and discs beyond the experts' outline (8–43 % too large on the held-out
 * cases); the manifest's logit offsets (scripts/fit-logit-offsets.ts) mark which voxels are inside the outline
 * (segment.ts ClassLabelmap.outline). Instances and level names are found before trimming, so trimming never
 * changes what is found or how it is named. The border between a body and a disc then follows the outline's classes
 * (drawn between the network's pixels, where the class map steps with them). Framework-free.
 */
import type { Labelmap, SpineVolume, Vec3 } from './volume';
import { voxelToLps } from './volume';
import type { SegmentInfo, StructureKind } from './report';

/** A segment that would lose more than this share of its voxels is kept whole (a thin degenerate disc, a fragment). */
export const MAX_TRIMMED_FRACTION = 0.5;
/**
 * Most voxels a body–disc border moves (in-plane, per side): the class map's border lies on the network's 1.25 mm
 * pixels, the sampled one at most half a pixel away — under two voxels of a 0.4 mm series (project choice).
 */
const MAX_BORDER_STEPS = 2;

/**
 * Removes from each segment (labelmap values = segment numbers, changed in place) its voxels outside `outline`
 * (non-zero = inside, same voxel order), except for discs inferred by rule and segments that would lose more than
 * MAX_TRIMMED_FRACTION; then moves the border between two trimmed segments of different kinds (a body and a disc) to
 * where the outline's class changes (borders drawn between the network's pixels, as the outline is), up to
 * MAX_BORDER_STEPS voxels. Returns the segments with voxelCount and centroidLps (DICOM LPS, mm) of the changed ones
 * recomputed.
 * @param classOfKind the model's class index for each kind the network segments (vertebral_body, disc).
 */
export function trimToOutline(labelmap: Labelmap, segments: SegmentInfo[], outline: Uint8Array, volume: SpineVolume, classOfKind: Partial<Record<StructureKind, number>> = {}): SegmentInfo[] {
  const n = segments.length + 1;
  const total = new Float64Array(n), outside = new Float64Array(n);
  const values = labelmap.values;
  for (let p = 0; p < values.length; p++) {
    const s = values[p];
    if (!s) continue;
    total[s]++;
    if (!outline[p]) outside[s]++;
  }
  const trim = segments.map((seg) => !seg.inferred && outside[seg.segmentNumber] <= MAX_TRIMMED_FRACTION * total[seg.segmentNumber]);
  const changed = new Uint8Array(n); // by segment number: 1 = voxels removed or moved, count and centroid recomputed
  for (let s = 1; s < n; s++) if (trim[s - 1] && outside[s] > 0) changed[s] = 1;
  for (let p = 0; p < values.length; p++) {
    const s = values[p];
    if (s && !outline[p] && trim[s - 1]) values[p] = 0;
  }
  const segmentClass = segments.map((seg) => (trim[seg.segmentNumber - 1] ? classOfKind[seg.kind] : undefined));
  moveBorders(labelmap, outline, segmentClass, changed);
  if (!changed.includes(1)) return segments;
  const [nI, nJ] = labelmap.dims;
  const sum = Array.from({ length: n }, () => [0, 0, 0, 0]);
  for (let p = 0; p < values.length; p++) {
    const s = values[p];
    if (!changed[s]) continue;
    const a = sum[s];
    a[0] += p % nI;
    a[1] += Math.floor(p / nI) % nJ;
    a[2] += Math.floor(p / (nI * nJ));
    a[3]++;
  }
  return segments.map((seg) => {
    if (!changed[seg.segmentNumber]) return seg;
    const [i, j, kk, count] = sum[seg.segmentNumber];
    const centroid: Vec3 = voxelToLps(volume, i / count, j / count, kk / count);
    return { ...seg, voxelCount: count, centroidLps: centroid };
  });
}

/**
 * Hands each voxel whose outline class differs from its segment's to an in-plane neighbour segment of that class,
 * one voxel per step, up to MAX_BORDER_STEPS steps. Only segments with a class in `segmentClass` (indexed by segment
 * number − 1) give or take voxels. Marks the segments that changed in `changed` (by segment number).
 */
function moveBorders(labelmap: Labelmap, outline: Uint8Array, segmentClass: (number | undefined)[], changed: Uint8Array): void {
  const [nI, nJ] = labelmap.dims;
  const values = labelmap.values;
  const classOf = new Uint8Array(256); // by segment number; 0 (the background's class) = takes no part
  segmentClass.forEach((c, k) => { if (c) classOf[k + 1] = c; });
  // A voxel wants to move when the outline's class is not its segment's; moving it changes no other voxel's wish.
  let waiting: number[] = [];
  for (let p = 0; p < values.length; p++) {
    const own = classOf[values[p]];
    if (own && outline[p] && outline[p] !== own) waiting.push(p);
  }
  for (let step = 0; step < MAX_BORDER_STEPS && waiting.length; step++) {
    const moves: [number, number][] = [], still: number[] = [];
    for (const p of waiting) {
      const wanted = outline[p], i = p % nI, j = Math.floor(p / nI) % nJ;
      const to = i > 0 && classOf[values[p - 1]] === wanted ? p - 1
        : i < nI - 1 && classOf[values[p + 1]] === wanted ? p + 1
          : j > 0 && classOf[values[p - nI]] === wanted ? p - nI
            : j < nJ - 1 && classOf[values[p + nI]] === wanted ? p + nI : -1;
      if (to < 0) still.push(p); else moves.push([p, values[to]]);
    }
    if (!moves.length) break;
    for (const [p, s] of moves) { changed[values[p]] = changed[s] = 1; values[p] = s; } // after the scan: one voxel per step
    waiting = still;
  }
}
