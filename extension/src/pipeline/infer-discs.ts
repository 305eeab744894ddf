/**
 * Inferred discs: the disc space between two adjacent vertebral bodies where the network labelled no
 * disc. Dark, collapsed (degenerate) discs are the ones the network misses most, and they are the
 * ones a reader grades; the space between the endplates still shows, so it is painted as the disc by
 * rule. Framework-free.
 *
 * Geometry: voxel grid of a SpineVolume; `vAxis` (0 = i, 1 = j) is the in-plane superior-inferior
 * axis, the other in-plane axis runs anterior-posterior ("AP columns"), axis 2 = sagittal slices.
 * Only the columns (slice, AP position) where both bodies have voxels are used. Two rules, in order:
 * - gap: the network left the disc space empty; it is the run of voxels between the upper body's
 *   inferior-most and the lower body's superior-most voxel of each column;
 * - dark band: the network painted the disc as bone, so the two body masks touch (and were cut
 *   apart at their narrowest section, not necessarily at the disc); the disc is the darkest band
 *   crossing the bodies from front to back, and the body voxels on either side of it are reassigned.
 */
import type { Vec3 } from './volume';

/**
 * A column counts as disc space when the gap between the two bodies is at least this high (mm).
 * A collapsed disc still shows as a 1–2 mm line between the endplates; two pieces cut from one body
 * mask touch, with no gap. Project heuristic (not from a paper).
 */
export const INFERRED_DISC_MIN_GAP_MM = 1;

/**
 * …and at most this high (mm): beyond it the column runs past a rounded body corner into soft
 * tissue. Project heuristic: the network's own discs on the SPIDER mid-sagittal T2 images are
 * below it (see MEASURED in the report of h4, .notes/h4.md).
 */
export const INFERRED_DISC_MAX_GAP_MM = 16;

/**
 * Gap rule: the space is a disc only when at least this fraction of the shared AP columns has a gap
 * in range; a disc separates the bodies along their whole depth. Project heuristic.
 */
export const INFERRED_DISC_MIN_COLUMN_FRACTION = 0.6;

/**
 * Dark-band rule: the band's median intensity must be at most this fraction of the median intensity
 * of the two bodies (same columns). A collapsed disc with its endplates is dark on T2 and T1; the
 * darkest path through one body's marrow is not. Project heuristic (not from a paper).
 */
export const INFERRED_DISC_MAX_BAND_MARROW_RATIO = 0.6;

/**
 * Both rules: the columns the two bodies share must be at least this fraction of the columns of the
 * narrower one. Project heuristic.
 */
export const INFERRED_DISC_MIN_SHARED_FRACTION = 0.5;

/**
 * Used by anatomy.ts: no disc is inferred between two bodies whose centroids are closer than this
 * fraction of the median centroid spacing of consecutive bodies (two pieces of one body mask).
 * Project heuristic: on SPIDER the correct inferred discs lie between bodies ≥ 0.64 of it apart; one
 * pair at 0.22 (patient 99) was two pieces of one body.
 */
export const INFERRED_DISC_MIN_SPACING_FRACTION = 0.5;

export interface DiscSpace {
  rule: 'gap' | 'dark band';
  /** Flat voxel indices (i + j·dims[0] + k·dims[0]·dims[1]) painted as the disc. */
  disc: number[];
  /** Voxels of the lower body that lie above the band (go to the upper body), and vice versa. */
  toUpper: number[];
  toLower: number[];
}

/** Per-pair diagnostics (for tuning and tests). */
export interface DiscSpaceStats {
  sharedColumns: number;
  gapColumns: number;
  /** Dark-band rule: band median / bodies' median intensity (NaN when not tried). */
  bandMarrowRatio: number;
}

export interface VoxelGrid {
  dims: Vec3;
  spacingMm: Vec3;
  /** In-plane superior-inferior axis, and whether its index increases superior-ward. */
  vAxis: 0 | 1;
  vUp: boolean;
}

function median(xs: ArrayLike<number>): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
}

/**
 * Disc space between an upper and a lower body, or null when neither rule finds one.
 * @param inUpper, inLower voxel membership of the two bodies (flat index)
 * @param isBody voxels of any body (never painted by the gap rule)
 * @param intensity image voxels (same index order), for the dark-band rule
 */
export function discSpaceBetween(
  g: VoxelGrid,
  inUpper: (p: number) => boolean,
  inLower: (p: number) => boolean,
  isBody: (p: number) => boolean,
  intensity: Float32Array,
  stats?: DiscSpaceStats,
): DiscSpace | null {
  const [nI, nJ, nK] = g.dims;
  const nV = g.dims[g.vAxis];
  const nA = g.dims[1 - g.vAxis];
  const flat = (col: number, d: number) => {
    const k = Math.floor(col / nA);
    const a = col - k * nA;
    const v = g.vUp ? nV - 1 - d : d;
    return k * nI * nJ + (g.vAxis === 0 ? v + a * nI : a + v * nI);
  };
  // Per column, depth extents (larger depth = more inferior) of the two bodies.
  const n = nA * nK;
  const uTop = new Int32Array(n).fill(nV), uBot = new Int32Array(n).fill(-1);
  const lTop = new Int32Array(n).fill(nV), lBot = new Int32Array(n).fill(-1);
  for (let k = 0, p = 0; k < nK; k++)
    for (let j = 0; j < nJ; j++)
      for (let i = 0; i < nI; i++, p++) {
        const up = inUpper(p);
        if (!up && !inLower(p)) continue;
        const v = g.vAxis === 0 ? i : j;
        const d = g.vUp ? nV - 1 - v : v;
        const col = k * nA + (g.vAxis === 0 ? j : i);
        if (up) { uTop[col] = Math.min(uTop[col], d); uBot[col] = Math.max(uBot[col], d); }
        else { lTop[col] = Math.min(lTop[col], d); lBot[col] = Math.max(lBot[col], d); }
      }
  const shared: number[] = [];
  let uCols = 0, lCols = 0;
  for (let col = 0; col < n; col++) {
    if (uBot[col] >= 0) uCols++;
    if (lBot[col] >= 0) lCols++;
    if (uBot[col] >= 0 && lBot[col] >= 0 && uTop[col] < lBot[col]) shared.push(col);
  }
  const st: DiscSpaceStats = stats ?? { sharedColumns: 0, gapColumns: 0, bandMarrowRatio: NaN };
  st.sharedColumns = shared.length;
  // Stacked bodies share most of their depth; a body off to one side (e.g. a bowel loop below and
  // in front of the spine labelled as one) has no disc space with the body above it.
  if (shared.length < INFERRED_DISC_MIN_SHARED_FRACTION * Math.min(uCols, lCols)) return null;

  // Gap rule.
  const gap: number[] = [];
  let touching = 0;
  for (const col of shared) {
    const gapMm = (lTop[col] - uBot[col] - 1) * g.spacingMm[g.vAxis];
    if (gapMm < INFERRED_DISC_MIN_GAP_MM) touching++;
    if (gapMm < INFERRED_DISC_MIN_GAP_MM || gapMm > INFERRED_DISC_MAX_GAP_MM) continue;
    st.gapColumns++;
    for (let d = uBot[col] + 1; d < lTop[col]; d++) if (!isBody(flat(col, d))) gap.push(flat(col, d));
  }
  if (st.gapColumns >= INFERRED_DISC_MIN_COLUMN_FRACTION * shared.length) return { rule: 'gap', disc: gap, toUpper: [], toLower: [] };
  if (touching + st.gapColumns < 0.5 * shared.length) return null; // mostly too far apart for a disc

  // Dark-band rule: per slice, the darkest path across the shared columns (dynamic programming,
  // depth changing by ≤ 1 voxel per column, each change costing a tenth of the marrow intensity so
  // the path does not zigzag through marrow), searched between the mid-depths of the two bodies, on
  // the intensity averaged over 3 voxels along the spine so that a band beats a thin dark line.
  const body: number[] = [];
  for (const col of shared) for (let d = uTop[col]; d <= lBot[col]; d++) { const p = flat(col, d); if (inUpper(p) || inLower(p)) body.push(intensity[p]); }
  const marrow = median(body);
  const stepCost = 0.1 * marrow;
  const lo = (col: number) => Math.ceil((uTop[col] + uBot[col]) / 2);
  const hi = (col: number) => Math.floor((lTop[col] + lBot[col]) / 2);
  const smooth = (col: number, d: number) => (intensity[flat(col, Math.max(d - 1, uTop[col]))] + intensity[flat(col, d)] + intensity[flat(col, Math.min(d + 1, lBot[col]))]) / 3;
  const path = new Map<number, number>(); // column → depth of the band's centre
  for (let s = 0; s < shared.length; ) {
    // A run of adjacent columns in one slice.
    let e = s + 1;
    while (e < shared.length && shared[e] === shared[e - 1] + 1 && Math.floor(shared[e] / nA) === Math.floor(shared[s] / nA)) e++;
    const run = shared.slice(s, e);
    s = e;
    const cost: Float64Array[] = [];
    const from: Int32Array[] = [];
    run.forEach((col, x) => {
      const c = new Float64Array(nV).fill(Infinity);
      const f = new Int32Array(nV).fill(-1);
      let linked = false;
      for (let d = lo(col); d <= hi(col); d++) {
        let best = x ? Infinity : 0;
        if (x) for (let dd = d - 1; dd <= d + 1; dd++) {
          const via = dd >= 0 && dd < nV ? cost[x - 1][dd] + (dd === d ? 0 : stepCost) : Infinity;
          if (via < best) { best = via; f[d] = dd; }
        }
        c[d] = best + smooth(col, d);
        linked ||= best < Infinity;
      }
      // No link to the previous column: the path starts again here.
      if (!linked) for (let d = lo(col); d <= hi(col); d++) c[d] = smooth(col, d);
      cost.push(c);
      from.push(f);
    });
    let d = -1;
    const last = cost[run.length - 1];
    for (let dd = 0; dd < nV; dd++) if (last[dd] < Infinity && (d < 0 || last[dd] < last[d])) d = dd;
    if (d < 0) continue; // no connected path across this run
    for (let x = run.length - 1; x >= 0 && d >= 0; x--) { path.set(run[x], d); d = from[x][d]; }
  }
  if (path.size < INFERRED_DISC_MIN_COLUMN_FRACTION * shared.length) return null;
  const bandMed = median([...path].map(([col, d]) => smooth(col, d)));
  st.bandMarrowRatio = bandMed / marrow;
  if (!(st.bandMarrowRatio <= INFERRED_DISC_MAX_BAND_MARROW_RATIO)) return null;
  // The band: from the path up and down while darker than halfway between band and marrow.
  const threshold = (bandMed + marrow) / 2;
  const out: DiscSpace = { rule: 'dark band', disc: [], toUpper: [], toLower: [] };
  for (const [col, d0] of path) {
    let top = d0, bot = d0;
    while (top - 1 >= lo(col) && intensity[flat(col, top - 1)] <= threshold) top--;
    while (bot + 1 <= hi(col) && intensity[flat(col, bot + 1)] <= threshold) bot++;
    for (let d = uTop[col]; d <= lBot[col]; d++) {
      const p = flat(col, d);
      if (d >= top && d <= bot) { if (inUpper(p) || inLower(p) || !isBody(p)) out.disc.push(p); }
      else if (d < top && inLower(p)) out.toUpper.push(p);
      else if (d > bot && inUpper(p)) out.toLower.push(p);
    }
  }
  return out;
}
