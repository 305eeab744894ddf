/**
 * 3D connected components of one class in a class labelmap. Framework-free.
 *
 * Connectivity: 6 (face neighbours). 26-connectivity would join adjacent vertebral bodies through a
 * single diagonal voxel across a thin or collapsed disc; 6 keeps them apart more often.
 */
import type { Vec3 } from './volume';

/**
 * Default minimum component volume (mm³). Smaller components are dropped as segmentation noise.
 * Rationale (not from a paper): the smallest structure we name is a cervical intervertebral disc,
 * ≈ 1,000–2,000 mm³ in an adult; a lumbar vertebral body is ≈ 25,000–40,000 mm³. 300 mm³ (e.g. a
 * 7 × 7 × 6 mm blob) is well below both, yet above the isolated specks a 2D network leaves.
 */
export const DEFAULT_MIN_COMPONENT_MM3 = 300;

/**
 * In-plane area (mm²) of that blob (7 × 7 mm). When the imaged slab (slices × thickness) is thinner
 * than 300 / 50 = 6 mm — a single mid-sagittal slice, whatever its nominal thickness — the volume
 * floor would depend on the slice thickness instead of the structure, so the floor becomes this area
 * through the whole slab. Same rationale as DEFAULT_MIN_COMPONENT_MM3 (not from a paper).
 */
export const MIN_COMPONENT_AREA_MM2 = 50;

/** Minimum component volume (mm³) for a volume of `dims` / `spacingMm` (see MIN_COMPONENT_AREA_MM2). */
export function defaultMinComponentMm3(dims: Vec3, spacingMm: Vec3): number {
  return Math.min(DEFAULT_MIN_COMPONENT_MM3, MIN_COMPONENT_AREA_MM2 * dims[2] * spacingMm[2]);
}

export interface Component {
  /** 1-based id, as written in `ComponentResult.ids`. */
  id: number;
  voxelCount: number;
  volumeMm3: number;
  /** Mean voxel index (i, j, k). */
  centroidIjk: Vec3;
  /** Inclusive bounding box in voxel indices. */
  minIjk: Vec3;
  maxIjk: Vec3;
}

export interface ComponentResult {
  /** Per voxel: component id (1..components.length) or 0; same index order as the labelmap. */
  ids: Int32Array;
  /** Kept components, largest first, ids renumbered 1..N in that order. */
  components: Component[];
}

/**
 * Components of voxels whose value equals `classValue`.
 * @param values labelmap values, index i + j·dims[0] + k·dims[0]·dims[1]
 * @param spacingMm voxel spacing [i, j, k] in mm (for volumes)
 * @param minVolumeMm3 components below this volume are dropped (default DEFAULT_MIN_COMPONENT_MM3)
 */
export function connectedComponents(
  values: Uint8Array,
  dims: Vec3,
  classValue: number,
  spacingMm: Vec3,
  minVolumeMm3 = DEFAULT_MIN_COMPONENT_MM3,
): ComponentResult {
  const [nI, nJ, nK] = dims;
  const plane = nI * nJ;
  const n = plane * nK;
  if (values.length !== n) throw new Error(`labelmap length ${values.length} != ${nI}×${nJ}×${nK}`);
  const voxelMm3 = spacingMm[0] * spacingMm[1] * spacingMm[2];
  const ids = new Int32Array(n);
  const queue = new Int32Array(n);
  const raw: Component[] = [];
  let next = 1;
  for (let start = 0; start < n; start++) {
    if (values[start] !== classValue || ids[start] !== 0) continue;
    const id = next++;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    ids[start] = id;
    let si = 0, sj = 0, sk = 0;
    let mnI = nI, mnJ = nJ, mnK = nK, mxI = -1, mxJ = -1, mxK = -1;
    while (head < tail) {
      const p = queue[head++];
      const k = (p / plane) | 0;
      const r = p - k * plane;
      const j = (r / nI) | 0;
      const i = r - j * nI;
      si += i; sj += j; sk += k;
      if (i < mnI) mnI = i; if (i > mxI) mxI = i;
      if (j < mnJ) mnJ = j; if (j > mxJ) mxJ = j;
      if (k < mnK) mnK = k; if (k > mxK) mxK = k;
      if (i > 0 && values[p - 1] === classValue && ids[p - 1] === 0) { ids[p - 1] = id; queue[tail++] = p - 1; }
      if (i < nI - 1 && values[p + 1] === classValue && ids[p + 1] === 0) { ids[p + 1] = id; queue[tail++] = p + 1; }
      if (j > 0 && values[p - nI] === classValue && ids[p - nI] === 0) { ids[p - nI] = id; queue[tail++] = p - nI; }
      if (j < nJ - 1 && values[p + nI] === classValue && ids[p + nI] === 0) { ids[p + nI] = id; queue[tail++] = p + nI; }
      if (k > 0 && values[p - plane] === classValue && ids[p - plane] === 0) { ids[p - plane] = id; queue[tail++] = p - plane; }
      if (k < nK - 1 && values[p + plane] === classValue && ids[p + plane] === 0) { ids[p + plane] = id; queue[tail++] = p + plane; }
    }
    raw.push({
      id,
      voxelCount: tail,
      volumeMm3: tail * voxelMm3,
      centroidIjk: [si / tail, sj / tail, sk / tail],
      minIjk: [mnI, mnJ, mnK],
      maxIjk: [mxI, mxJ, mxK],
    });
  }
  const kept = raw.filter((c) => c.volumeMm3 >= minVolumeMm3).sort((a, b) => b.voxelCount - a.voxelCount);
  const remap = new Int32Array(next);
  kept.forEach((c, idx) => {
    remap[c.id] = idx + 1;
    c.id = idx + 1;
  });
  for (let p = 0; p < n; p++) if (ids[p] !== 0) ids[p] = remap[ids[p]];
  return { ids, components: kept };
}

/**
 * Split one component into `pieces` parts along a voxel axis (`axis` 0 = i, 1 = j), cutting at the
 * least-populated index near each of the evenly spaced positions (the narrowest cross-section, e.g.
 * the disc space between two fused vertebral-body masks). Rewrites `ids` in place: the first piece
 * keeps the component's id, the others get new ids after the largest existing one.
 * @returns the pieces' Components (statistics recomputed), first piece first.
 */
export function splitComponent(ids: Int32Array, dims: Vec3, spacingMm: Vec3, comp: Component, axis: 0 | 1 | 2, pieces: number, nextId: number): Component[] {
  const [nI, nJ] = dims;
  const plane = nI * nJ;
  const lo = comp.minIjk[axis];
  const hi = comp.maxIjk[axis];
  const len = hi - lo + 1;
  if (pieces < 2 || len < 2 * pieces) return [comp];
  const profile = new Float64Array(len);
  const coord = (p: number) => (axis === 0 ? p % nI : axis === 1 ? ((p % plane) / nI) | 0 : (p / plane) | 0);
  for (let p = 0; p < ids.length; p++) if (ids[p] === comp.id) profile[coord(p) - lo]++;
  // Cuts: cut m is the first index of piece m (m = 1..pieces-1).
  const cuts: number[] = [];
  for (let m = 1; m < pieces; m++) {
    const centre = Math.round((m * len) / pieces);
    const half = Math.max(1, Math.floor(len / pieces / 4));
    let best = centre;
    for (let x = Math.max(1, centre - half); x <= Math.min(len - 1, centre + half); x++) if (profile[x] < profile[best]) best = x;
    cuts.push(best + lo);
  }
  const newIds = [comp.id, ...Array.from({ length: pieces - 1 }, (_, m) => nextId + m)];
  const stats = newIds.map(() => ({ n: 0, s: [0, 0, 0], mn: [Infinity, Infinity, Infinity], mx: [-1, -1, -1] }));
  for (let p = 0; p < ids.length; p++) {
    if (ids[p] !== comp.id) continue;
    const c = coord(p);
    let piece = 0;
    while (piece < cuts.length && c >= cuts[piece]) piece++;
    ids[p] = newIds[piece];
    const k = (p / plane) | 0;
    const j = ((p - k * plane) / nI) | 0;
    const i = p - k * plane - j * nI;
    const st = stats[piece];
    st.n++;
    [i, j, k].forEach((v, a) => {
      st.s[a] += v;
      if (v < st.mn[a]) st.mn[a] = v;
      if (v > st.mx[a]) st.mx[a] = v;
    });
  }
  const voxelMm3 = spacingMm[0] * spacingMm[1] * spacingMm[2];
  return stats
    .map((st, m) => ({
      id: newIds[m],
      voxelCount: st.n,
      volumeMm3: st.n * voxelMm3,
      centroidIjk: st.s.map((x) => x / Math.max(1, st.n)) as Vec3,
      minIjk: st.mn as Vec3,
      maxIjk: st.mx as Vec3,
    }))
    .filter((c) => c.voxelCount > 0);
}
