/**
 * Segmentation metrics for eval:seg: binary Dice and level-name accuracy against instance ground
 * truth (labels 1..N superior→inferior, as in ../shared/data/segmentation). Node-free pure functions.
 */
import type { SegmentInfo, StructureKind } from '../../extension/src/pipeline/report';

/**
 * Dice = 2|P∩G| / (|P|+|G|) of two binary masks given as predicates over voxel indices
 * (`pred[p]` true-ish, `gt[p] > 0`). Returns NaN when both are empty.
 * @throws Error when lengths differ.
 */
export function diceBinary(pred: ArrayLike<number | boolean>, gt: ArrayLike<number>): number {
  if (pred.length !== gt.length) throw new Error(`mask lengths differ: ${pred.length} vs ${gt.length}`);
  let inter = 0, np = 0, ng = 0;
  for (let p = 0; p < gt.length; p++) {
    const a = pred[p] ? 1 : 0;
    const b = gt[p] > 0 ? 1 : 0;
    np += a;
    ng += b;
    inter += a & b;
  }
  return np + ng === 0 ? NaN : (2 * inter) / (np + ng);
}

/** Mask (1/0 per voxel) of the segments of one kind in a segment-number labelmap. */
export function kindMask(labelmap: Uint8Array, segments: SegmentInfo[], kind: StructureKind): Uint8Array {
  const isKind = new Uint8Array(256);
  for (const s of segments) if (s.kind === kind) isKind[s.segmentNumber] = 1;
  const out = new Uint8Array(labelmap.length);
  for (let p = 0; p < labelmap.length; p++) out[p] = isKind[labelmap[p]];
  return out;
}

export interface LevelMatch {
  /** Ground-truth label value (1..N). */
  gtLabel: number;
  expected: string;
  /** Level of the predicted segment (of the same kind) overlapping this GT instance most; undefined when none overlaps. */
  predicted?: string;
  correct: boolean;
}

/**
 * Level-name accuracy: GT label k is named `levels[k-1]`; each GT instance is matched to the
 * predicted segment of `kind` it overlaps most (by voxel count).
 * @returns per GT instance matches and accuracy = correct / number of GT instances present.
 */
export function levelAccuracy(
  labelmap: Uint8Array,
  segments: SegmentInfo[],
  kind: StructureKind,
  gt: Uint8Array,
  levels: string[],
): { matches: LevelMatch[]; accuracy: number } {
  if (labelmap.length !== gt.length) throw new Error(`labelmap lengths differ: ${labelmap.length} vs ${gt.length}`);
  const bySeg = new Map(segments.filter((s) => s.kind === kind).map((s) => [s.segmentNumber, s]));
  const overlap = new Map<number, Map<number, number>>();
  const present = new Set<number>();
  for (let p = 0; p < gt.length; p++) {
    const g = gt[p];
    if (!g) continue;
    present.add(g);
    const s = labelmap[p];
    if (!s || !bySeg.has(s)) continue;
    let m = overlap.get(g);
    if (!m) overlap.set(g, (m = new Map()));
    m.set(s, (m.get(s) ?? 0) + 1);
  }
  const matches: LevelMatch[] = [...present].sort((a, b) => a - b).map((g) => {
    const expected = levels[g - 1] ?? '?';
    let best = 0, bestSeg = 0;
    for (const [s, n] of overlap.get(g) ?? []) if (n > best) { best = n; bestSeg = s; }
    const predicted = bestSeg ? bySeg.get(bestSeg)!.level : undefined;
    return { gtLabel: g, expected, predicted, correct: predicted === expected };
  });
  const accuracy = matches.length ? matches.filter((m) => m.correct).length / matches.length : NaN;
  return { matches, accuracy };
}

/**
 * Restrict a binary mask to the superior-inferior range of the ground truth: voxels whose LPS z lies
 * above the highest GT voxel or below the lowest one are cleared (the ground truth labels only some
 * instances, e.g. L1–L5; T12 or S1 found by the network beyond that range are not errors).
 * `zOf(p)` = LPS z (mm) of voxel p.
 */
export function clipToGtRange(mask: Uint8Array, gt: ArrayLike<number>, zOf: (p: number) => number): Uint8Array {
  let zMin = Infinity, zMax = -Infinity;
  for (let p = 0; p < gt.length; p++) {
    if (!gt[p]) continue;
    const z = zOf(p);
    if (z < zMin) zMin = z;
    if (z > zMax) zMax = z;
  }
  const out = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const z = zOf(p);
    out[p] = z >= zMin && z <= zMax ? 1 : 0;
  }
  return out;
}

/**
 * Per-instance Dice: each GT instance vs the predicted segment of `kind` overlapping it most
 * (0 when none overlaps). Returns one value per GT label present, ascending label order.
 */
export function instanceDice(labelmap: Uint8Array, segments: SegmentInfo[], kind: StructureKind, gt: Uint8Array): { gtLabel: number; dice: number }[] {
  const isKind = new Uint8Array(256);
  for (const s of segments) if (s.kind === kind) isKind[s.segmentNumber] = 1;
  const segSize = new Float64Array(256);
  const gtSize = new Map<number, number>();
  const overlap = new Map<number, Float64Array>();
  for (let p = 0; p < gt.length; p++) {
    const s = isKind[labelmap[p]] ? labelmap[p] : 0;
    if (s) segSize[s]++;
    const g = gt[p];
    if (!g) continue;
    gtSize.set(g, (gtSize.get(g) ?? 0) + 1);
    if (s) {
      let o = overlap.get(g);
      if (!o) overlap.set(g, (o = new Float64Array(256)));
      o[s]++;
    }
  }
  return [...gtSize.keys()].sort((a, b) => a - b).map((g) => {
    const o = overlap.get(g);
    let best = 0;
    if (o) for (let s = 1; s < 256; s++) if (o[s] > o[best]) best = s;
    const inter = best && o ? o[best] : 0;
    return { gtLabel: g, dice: best ? (2 * inter) / (gtSize.get(g)! + segSize[best]) : 0 };
  });
}
