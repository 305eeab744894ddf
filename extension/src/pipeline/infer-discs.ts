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
 * mask touch, with no gap. Project heuristic (not from a paper); on the SPIDER mid-sagittal T2
 * images the discs this rule adds have median gaps of 2.3–11 mm.
 */
export const INFERRED_DISC_MIN_GAP_MM = 1;

/**
 * …and at most this high (mm): beyond it the column runs past a rounded body corner into soft
 * tissue. Project heuristic: 95 % of the network's own discs on the SPIDER mid-sagittal T2 images
 * are lower (measure.ts discHeightMm of 1,133 discs: median 10.3 mm, 95th percentile 15.8 mm).
 */
export const INFERRED_DISC_MAX_GAP_MM = 16;

/**
 * Gap rule: the space is a disc only when at least this fraction of the shared AP columns has a gap
 * in range; a disc separates the bodies along their whole depth. Project heuristic: on SPIDER the
 * pairs with a missed disc had 0.62–1.00 of their columns in range, or ≤ 0.32 where the network
 * bridged the disc (those go to the dark-band rule).
 */
export const INFERRED_DISC_MIN_COLUMN_FRACTION = 0.6;

/**
 * Dark-band rule: the band's median intensity must be at most this fraction of the median intensity
 * of the two bodies (same columns). A collapsed disc with its endplates is dark on T2 and T1; the
 * darkest path through one body's marrow is not. Project heuristic (not from a paper): on SPIDER
 * the bands taken were 0.12–0.57 of the marrow (checked on overlays: in the disc space), the two
 * rejected 0.86 and 0.98 (no disc visible inside the mask).
 */
export const INFERRED_DISC_MAX_BAND_MARROW_RATIO = 0.6;

/**
 * Used by anatomy.ts and instances.ts (mergeBodyPieces): no disc is inferred between two bodies whose centroids are closer than this
 * fraction of the median centroid spacing of consecutive bodies: they are two pieces of one body
 * mask (a body is about 3/4 of a segment). Project heuristic: on SPIDER the inferred discs lie
 * between bodies ≥ 0.64 of it apart.
 */
export const INFERRED_DISC_MIN_SPACING_FRACTION = 0.5;

/**
 * Used by anatomy.ts: an inferred disc is kept when its volume is at least this fraction of the
 * minimum component volume (components.ts; on one mid-sagittal slice an area of 50 mm²). That floor
 * drops the network's specks; a collapsed disc, 1–2 mm high over a 25–45 mm deep endplate, covers
 * only 25–90 mm² of the slice, and the disc space is placed by the two bodies around it, not by
 * the network, so half the floor applies. Project heuristic (not from a paper): on the SPIDER
 * mid-sagittal T2 images the disc spaces between the two floors were 31–49 mm² (three; checked on
 * overlays: in the disc space).
 */
export const INFERRED_DISC_MIN_FRACTION_OF_COMPONENT_FLOOR = 0.5;

export interface DiscSpace {
  rule: 'gap' | 'dark band';
  /** Flat voxel indices (i + j·dims[0] + k·dims[0]·dims[1]) painted as the disc. */
  disc: number[];
  /** Voxels of the lower body that lie above the band (go to the upper body), and vice versa. */
  toUpper: number[];
  toLower: number[];
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
  for (let col = 0; col < n; col++) if (uBot[col] >= 0 && lBot[col] >= 0 && uTop[col] < lBot[col]) shared.push(col);
  if (!shared.length) return null;

  // Gap rule.
  const gap: number[] = [];
  let touching = 0, gapColumns = 0;
  for (const col of shared) {
    const gapMm = (lTop[col] - uBot[col] - 1) * g.spacingMm[g.vAxis];
    if (gapMm < INFERRED_DISC_MIN_GAP_MM) touching++;
    if (gapMm < INFERRED_DISC_MIN_GAP_MM || gapMm > INFERRED_DISC_MAX_GAP_MM) continue;
    gapColumns++;
    for (let d = uBot[col] + 1; d < lTop[col]; d++) if (!isBody(flat(col, d))) gap.push(flat(col, d));
  }
  if (gapColumns >= INFERRED_DISC_MIN_COLUMN_FRACTION * shared.length) return { rule: 'gap', disc: gap, toUpper: [], toLower: [] };
  // Mostly too far apart for a disc (e.g. a bowel loop labelled as body, below and in front of L4).
  if (touching + gapColumns < 0.5 * shared.length) return null;

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
    darkestPath(run.map((col) => ({ lo: lo(col), hi: hi(col), cost: (d: number) => smooth(col, d) })), stepCost).forEach((d, x) => d >= 0 && path.set(run[x], d));
    s = e;
  }
  if (path.size < INFERRED_DISC_MIN_COLUMN_FRACTION * shared.length) return null;
  const bandMed = median([...path].map(([col, d]) => smooth(col, d)));
  if (!(bandMed <= INFERRED_DISC_MAX_BAND_MARROW_RATIO * marrow)) return null;
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

/**
 * Least-cost path across columns (one depth per column, changing by ≤ 1 between neighbours, each
 * change costing `stepCost`), each column searched in [lo, hi]. Where no depth links to the previous
 * column the path starts again, and only its last stretch is returned (earlier columns get -1).
 */
function darkestPath(cols: { lo: number; hi: number; cost: (d: number) => number }[], stepCost: number): number[] {
  const total: Map<number, number>[] = [];
  const from: Map<number, number>[] = [];
  cols.forEach((c, x) => {
    const t = new Map<number, number>();
    const f = new Map<number, number>();
    for (let d = c.lo; d <= c.hi; d++) {
      let best = Infinity;
      for (let dd = d - 1; x && dd <= d + 1; dd++) {
        const via = (total[x - 1].get(dd) ?? Infinity) + (dd === d ? 0 : stepCost);
        if (via < best) { best = via; f.set(d, dd); }
      }
      if (best < Infinity) t.set(d, best + c.cost(d));
    }
    if (!t.size) for (let d = c.lo; d <= c.hi; d++) t.set(d, c.cost(d)); // no link: start again
    total.push(t);
    from.push(f);
  });
  const out = cols.map(() => -1);
  let d = -1;
  for (const [dd, v] of total[cols.length - 1] ?? []) if (d < 0 || v < total[cols.length - 1].get(d)!) d = dd;
  for (let x = cols.length - 1; x >= 0 && d >= 0; x--) { out[x] = d; d = x ? from[x].get(d) ?? -1 : -1; }
  return out;
}
