/**
 * Dural sac cross-sectional area (mm²) on axial T2 images at each disc level, for the central canal
 * grade (grade/canal.ts: < 100 mm² = stenosis, Bolender N.F. et al., J Bone Joint Surg Am 1985;67:240–6).
 * Positions are DICOM patient coordinates (LPS, mm); every image carries its own geometry, so any number
 * of stacks at any angle can be given together.
 *
 * Rule (project heuristic, not from a paper; checked by eye on axial reformats of the segmentation/ T2
 * volumes, `npm run eval:axial`):
 * - Image: the one whose plane lies nearest the disc centre, accepted when that distance is at most
 *   maxImageDistanceMm(thickness) and the disc centre and sac seed project inside the image.
 * - Seed: the sac centre found on the sagittal slice (canal.ts, midpoint of the AP line), or where the
 *   sagittal found no posterior wall (bright epidural fat behind the sac), a point a few mm behind the
 *   sac's anterior edge (marked seedFromAnteriorEdge); projected into the image. The region starts at the
 *   brightest pixel (3 × 3 mean) within SEED_SEARCH_MM of it — CSF is the brightest tissue in the canal on T2.
 *   With an AP line, the region is grown a second time from a point a few mm behind its anterior end
 *   (AxialSacInput.anteriorSeedLps), and the larger of the two regions that pass the checks below is the sac
 *   (marked grownFromAnteriorSeed when it is that one): a sagittal AP that took in the dorsal epidural fat
 *   puts its midpoint behind the sac, where a bright spot of fat was measured as a tight sac (on the
 *   segmentation/ T2 volumes' axial reformats, ivd_11 L3/L4 36 mm² and vb2_07 L2/L3 29 mm², sagittal AP 21
 *   and 17 mm), while the anterior end of the line lies on the anterior dura, which the disc's dark edge
 *   marks well; the start near the front alone, though, can land in a lateral recess pocket of a round sac
 *   (vb2_08 L5/S1), which the midpoint's region outgrows. Either failure reads small, hence the larger.
 * - Threshold: first half way between the CSF level (mean of the 3 × 3 pixels at the start) and the tissue
 *   level (median of the ring TISSUE_RING_MM around the seed: disc, bone, ligament, fat, muscle), i.e. the
 *   half-maximum edge of the sac; refused when CSF is not clearly brighter than that tissue
 *   (MIN_CSF_CONTRAST, e.g. T1 weighting).
 * - Region: pixels ≥ threshold, 4-connected to the start. When that reaches beyond MAX_SAC_RADIUS_MM from
 *   the start (leaked along root sleeves, epidural fat or facet fluid), the same after a morphological
 *   opening (OPENING_RADIUS_MM: thinner bright strands are not followed); when that leaks too, the next
 *   higher threshold (EDGE_FRACTIONS). Refused when every threshold leaks, when the region is smaller than
 *   MIN_SAC_AREA_MM2, or when it spans under MIN_AP_FRACTION_OF_SAGITTAL of the sagittal AP front to back.
 * - Crescents: where the conus or clumped roots split the CSF, the other CSF-bright regions within
 *   CRESCENT_GAP_MM of the seed's region are joined (while the whole spans at most
 *   MAX_JOINED_AP_FRACTION_OF_SAGITTAL × the sagittal AP, where known), and the sac is their convex hull
 *   less pixels darker than the tissue level. Enclosed holes are filled: the cord and cauda equina roots lie
 *   inside the sac and count as sac area.
 * Needs T2 weighting (CSF the brightest tissue in the canal): on a T1 image the brightest spot near the
 *   seed is epidural fat or veins, and it is measured (callers pass axial T2 series only).
 * Known limits: roots lying against the dura are cut off (reads small); the convex hull of a wide anterior
 *   crescent (lateral recesses) and a posterior one takes in the grey between them, and reads large where the
 *   sac is not convex; bright epidural fat touching the sac without a dark line between them is counted, or
 *   refused as a leak; fat within CRESCENT_GAP_MM behind the sac is joined as a crescent unless the sagittal
 *   AP bounds it — with a seed behind the anterior edge there is no such bound; with that seed the start
 *   lies near the anterior edge, and a sac reaching more than MAX_SAC_RADIUS_MM behind it is refused as a leak.
 */
import type { SpineVolume, Vec3 } from './volume';
import { voxelToLps } from './volume';
import { ballOffsets, convexHull, fillHoles, grow4, hullMask, morph, outerBoundary, polygonArea } from './mask2d';

/** One axial image with its own geometry (angled stacks: every image may differ). */
export interface AxialSlice {
  /** Intensities, length columns*rows; index = i + j*columns (i along rowDirection, j along columnDirection). */
  pixels: Float32Array;
  columns: number;
  rows: number;
  /** [between columns, between rows] mm = [PixelSpacing[1], PixelSpacing[0]]. */
  spacingMm: [number, number];
  /** ImagePositionPatient: centre of pixel (0, 0), LPS mm. */
  positionLps: Vec3;
  /** ImageOrientationPatient[0..2] / [3..5], unit vectors, LPS. */
  rowDirection: Vec3;
  columnDirection: Vec3;
  /** SliceThickness, mm. */
  sliceThicknessMm: number;
  sopInstanceUid: string;
  /** The frame of a multi-frame (Enhanced MR) instance, 1-based; absent for a single-frame image. */
  frameNumber?: number;
  sopClassUid?: string;
  /** The image's series and frame of reference (the SR references the image and its outline), where known. */
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  /** InstanceNumber, where known (shown to the reader to find the image). */
  instanceNumber?: number;
}

/** Where to measure: one disc, from the sagittal analysis. */
export interface AxialSacInput {
  segmentNumber: number;
  level: string;
  /** Disc centroid, LPS mm. */
  discCentreLps: Vec3;
  /** Centre of the dural sac behind the disc (midpoint of the sagittal AP line), LPS mm; null when the sagittal found none. */
  canalCentreLps: Vec3 | null;
  /** Sagittal AP diameter of the sac at this disc, mm (canal.ts), where measured: checks the axial region (MIN_AP_FRACTION_OF_SAGITTAL). */
  canalApMm?: number | null;
  /**
   * canalCentreLps is no AP midpoint but a point a few mm behind the sac's anterior edge (the sagittal
   * found no posterior wall: bright epidural fat behind the sac); copied to the result.
   */
  seedFromAnteriorEdge?: boolean;
  /**
   * A second seed, a few mm behind the anterior end of the sagittal AP line (canal.ts SAC_SEED_DEPTH_MM), LPS mm:
   * the region is grown from both and the larger kept (module docstring). Absent without an AP line.
   */
  anteriorSeedLps?: Vec3 | null;
}

export interface AxialSacResult {
  segmentNumber: number;
  /** Dural sac cross-sectional area, mm²; null with `reason` when not measured. */
  areaMm2: number | null;
  reason?: string;
  /** The axial image measured (frameNumber: of a multi-frame instance), its series and frame of reference. */
  sopInstanceUid?: string;
  frameNumber?: number;
  sopClassUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  instanceNumber?: number;
  /** Distance of that image's plane from the disc centre, mm. */
  distanceMm?: number;
  /** Outline of the measured region, LPS mm: a closed polygon along the edges of the pixels counted (its area is areaMm2), for display and the SR. */
  outlineLps?: Vec3[];
  /** Intensity levels used (image units): CSF at the start pixel, surrounding tissue, and the edge threshold between them. */
  levels?: { csf: number; tissue: number; edge: number };
  /** The seed lay behind the sac's anterior edge, not at a sagittal AP midpoint (AxialSacInput.seedFromAnteriorEdge). */
  seedFromAnteriorEdge?: true;
  /** Number of further CSF crescents joined to the one at the seed (CRESCENT_GAP_MM), where any. */
  crescentsJoined?: number;
  /** The region grown from AxialSacInput.anteriorSeedLps was the larger, and is the one measured. */
  grownFromAnteriorSeed?: true;
}

/** Project heuristic: an image counts as "at the disc" within this distance (mm) of the disc centre, at least. */
export const MIN_IMAGE_DISTANCE_MM = 3;
/**
 * Largest accepted distance (mm) from the disc centre to the image plane: half the slice thickness plus
 * 1 mm (the disc centre lies inside the slice, with 1 mm for the centroid's uncertainty), at least
 * MIN_IMAGE_DISTANCE_MM. Project heuristic (not from a paper): a lumbar disc is 8–12 mm high, so 3 mm
 * from its centre is still inside the disc.
 */
export function maxImageDistanceMm(sliceThicknessMm: number): number {
  return Math.max(sliceThicknessMm / 2 + 1, MIN_IMAGE_DISTANCE_MM);
}
/** Project heuristic: the region starts at the brightest pixel within this distance (mm) of the sagittal seed (the sagittal slice may lie off the sac's midline). */
export const SEED_SEARCH_MM = 5;
/** Project heuristic: the tissue level is the median of this ring [inner, outer] (mm) around the seed. */
export const TISSUE_RING_MM: [number, number] = [12, 20];
/** Project heuristic: CSF must be at least this many times the tissue level (CSF effaced; dark CSF on T1 where epidural fat is not near the seed). */
export const MIN_CSF_CONTRAST = 1.5;
/**
 * Edge threshold as a fraction of the way from the tissue level to the CSF level: the half-maximum edge
 * (0.5) first; while the region leaks, the next, up to 0.7 (partial-volume bridges to root sleeves and
 * fat are dimmer than the sac). A higher edge reads the sac slightly small. Project heuristic (not from a paper).
 */
export const EDGE_FRACTIONS = [0.5, 0.55, 0.6, 0.65, 0.7];
/** Project heuristic: a region reaching beyond this distance (mm) from its start has leaked out of the sac (a normal lumbar sac is about 15 × 20 mm). */
export const MAX_SAC_RADIUS_MM = 16;
/**
 * Project heuristic: radius (mm) of the morphological opening that cuts the sac from thin bright strands
 * (root sleeves in the lateral recesses, epidural fat, fluid along the facets); strands narrower than
 * twice this are not followed, and the sac's own corners are rounded by about this much.
 */
export const OPENING_RADIUS_MM = 1.5;
/** Project heuristic: smaller regions (mm²) are noise or the seed missed the sac, not a measurable sac. */
export const MIN_SAC_AREA_MM2 = 15;
/**
 * Project heuristic: the region must span at least this fraction of the sagittal AP diameter front to back;
 * less means only one crescent of CSF was found (the conus or clumped roots split it), which would read as
 * a falsely tight sac. Low, because the sagittal AP on the segmentation/ T2 volumes often includes epidural
 * fat (reads 20–30 mm); 0.35 refused the two regions of about 30 mm² there that were one crescent.
 */
export const MIN_AP_FRACTION_OF_SAGITTAL = 0.35;
/**
 * Project heuristic (not from a paper): a further CSF-bright region (at the same edge threshold, not
 * leaking, at least MIN_CRESCENT_MM2) within this gap (mm) of the seed's region is another crescent of the
 * same sac, split from it by the conus or clumped roots (grey, 3–8 mm); the sac is then the convex hull of
 * the crescents (the dural sac is convex in cross-section and the cord and roots inside it count).
 */
export const CRESCENT_GAP_MM = 7;
/**
 * Project heuristic (not from a paper): a crescent is joined only while the joined region spans at most
 * this many times the sagittal AP front to back, where that is known (the sagittal line crosses the whole
 * sac, cord included; the axial plane cuts a tilted sac longer). Keeps posterior epidural fat and the
 * interlaminar midline out where the sagittal sac is shallow; no bound where there is no sagittal AP.
 */
export const MAX_JOINED_AP_FRACTION_OF_SAGITTAL = 1.25;
/** Project heuristic: smaller CSF-bright specks (mm²) are not joined as crescents (noise, veins). */
export const MIN_CRESCENT_MM2 = 4;

/** The images of a uniform axial SpineVolume as AxialSlices (pixels are views into v.voxels, not copies). */
export function axialSlicesOfVolume(v: SpineVolume): AxialSlice[] {
  const [nx, ny, nz] = v.dims;
  return Array.from({ length: nz }, (_, k) => ({
    pixels: v.voxels.subarray(k * nx * ny, (k + 1) * nx * ny),
    columns: nx,
    rows: ny,
    spacingMm: [v.spacingMm[0], v.spacingMm[1]],
    positionLps: voxelToLps(v, 0, 0, k),
    rowDirection: v.rowDirection,
    columnDirection: v.columnDirection,
    sliceThicknessMm: v.spacingMm[2],
    sopInstanceUid: v.sopInstanceUids[k] ?? '',
    frameNumber: v.frameNumbers?.[k],
    sopClassUid: v.sopClassUid,
    seriesInstanceUid: v.seriesInstanceUid,
    frameOfReferenceUid: v.frameOfReferenceUid,
    instanceNumber: k + 1,
  }));
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** Signed distance (mm) of p from the image plane, along row × column. */
function planeDistance(s: AxialSlice, p: Vec3): number {
  const n = cross(s.rowDirection, s.columnDirection);
  return dot(sub(p, s.positionLps), n) / Math.hypot(n[0], n[1], n[2]);
}

/** p projected into the image: fractional (i, j) pixel indices. */
function toPixel(s: AxialSlice, p: Vec3): [number, number] {
  const d = sub(p, s.positionLps);
  return [dot(d, s.rowDirection) / s.spacingMm[0], dot(d, s.columnDirection) / s.spacingMm[1]];
}

function inside(s: AxialSlice, [i, j]: [number, number]): boolean {
  return i >= -0.5 && j >= -0.5 && i <= s.columns - 0.5 && j <= s.rows - 0.5;
}

function toLps(s: AxialSlice, i: number, j: number): Vec3 {
  const [sx, sy] = s.spacingMm;
  return [0, 1, 2].map((a) => s.positionLps[a] + s.rowDirection[a] * i * sx + s.columnDirection[a] * j * sy) as Vec3;
}

/**
 * Dural sac area at each disc, on the axial image nearest its centre (see the module docstring for the
 * rule). Returns one result per disc, in input order; a disc not measured has areaMm2 null and a reason
 * for the reader. Does not throw on bad images (they give reasons); slices may be empty.
 */
export function measureAxialDuralSac(slices: AxialSlice[], discs: AxialSacInput[]): AxialSacResult[] {
  return discs.map((d) => measureOne(slices, d));
}

function measureOne(slices: AxialSlice[], d: AxialSacInput): AxialSacResult {
  const base = { segmentNumber: d.segmentNumber, areaMm2: null };
  let best: AxialSlice | undefined, bestDist = Infinity;
  for (const s of slices) {
    const dist = Math.abs(planeDistance(s, d.discCentreLps));
    if (dist < bestDist && inside(s, toPixel(s, d.discCentreLps))) { best = s; bestDist = dist; }
  }
  if (!best) return { ...base, reason: `no axial image covers the ${d.level} disc centre` };
  const limit = maxImageDistanceMm(best.sliceThicknessMm);
  if (bestDist > limit) {
    return { ...base, reason: `no axial image within ${fmt(limit)} mm of the ${d.level} disc centre (nearest ${fmt(bestDist)} mm)` };
  }
  const where = { sopInstanceUid: best.sopInstanceUid, frameNumber: best.frameNumber, sopClassUid: best.sopClassUid, seriesInstanceUid: best.seriesInstanceUid, frameOfReferenceUid: best.frameOfReferenceUid, instanceNumber: best.instanceNumber, distanceMm: bestDist };
  if (!d.canalCentreLps) return { ...base, ...where, reason: 'not measured: the sagittal analysis found no dural sac at this level to place the seed' };
  const seed = toPixel(best, d.canalCentreLps);
  if (!inside(best, seed)) return { ...base, ...where, reason: `not measured: the dural sac centre of ${d.level} lies outside the axial image` };
  let r = growSac(best, seed, d.canalApMm ?? null);
  let fromAnterior = false;
  const front = d.anteriorSeedLps ? toPixel(best, d.anteriorSeedLps) : null;
  if (front && inside(best, front)) {
    const g = growSac(best, front, d.canalApMm ?? null);
    if (!('reason' in g) && ('reason' in r || g.areaMm2 > r.areaMm2)) { r = g; fromAnterior = true; }
  }
  const marks = { ...(d.seedFromAnteriorEdge ? { seedFromAnteriorEdge: true as const } : {}), ...(fromAnterior ? { grownFromAnteriorSeed: true as const } : {}) };
  if ('reason' in r) return { ...base, ...where, ...marks, reason: `not measured: ${r.reason}`, ...(r.levels ? { levels: r.levels } : {}) };
  return {
    ...base, ...where, ...marks, areaMm2: r.areaMm2, levels: r.levels, outlineLps: r.outline.map(([i, j]) => toLps(best!, i, j)),
    ...(r.crescentsJoined ? { crescentsJoined: r.crescentsJoined } : {}),
  };
}

function fmt(x: number): string { return x.toFixed(1).replace(/\.0$/, ''); }

type Levels = NonNullable<AxialSacResult['levels']>;
interface Grown { areaMm2: number; outline: [number, number][]; levels: Levels; crescentsJoined: number }

/** The CSF-bright region around `seed` (fractional pixel indices) in one image, with holes filled. */
function growSac(s: AxialSlice, seed: [number, number], sagittalApMm: number | null): Grown | { reason: string; levels?: Levels } {
  const { columns: nx, rows: ny, pixels: px } = s;
  const [sx, sy] = s.spacingMm;
  const mean3 = (i: number, j: number): number => {
    let sum = 0, n = 0;
    for (let b = Math.max(0, j - 1); b <= Math.min(ny - 1, j + 1); b++) for (let a = Math.max(0, i - 1); a <= Math.min(nx - 1, i + 1); a++) { sum += px[a + b * nx]; n++; }
    return sum / n;
  };
  const distMm = (i: number, j: number, c: [number, number]) => Math.hypot((i - c[0]) * sx, (j - c[1]) * sy);
  // Pixels within `r` mm of c, as a bounding box to scan.
  const box = (c: [number, number], r: number) => [
    Math.max(0, Math.floor(c[0] - r / sx)), Math.min(nx - 1, Math.ceil(c[0] + r / sx)),
    Math.max(0, Math.floor(c[1] - r / sy)), Math.min(ny - 1, Math.ceil(c[1] + r / sy)),
  ];

  let start = -1, csf = -Infinity;
  {
    const [i0, i1, j0, j1] = box(seed, SEED_SEARCH_MM);
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) {
      if (distMm(i, j, seed) > SEED_SEARCH_MM) continue;
      const m = mean3(i, j);
      if (m > csf) { csf = m; start = i + j * nx; }
    }
  }
  if (start < 0) return { reason: 'the sac seed lies outside the image' };
  const st: [number, number] = [start % nx, Math.floor(start / nx)];
  /** Median of the pixels whose distance from c (mm) lies in [r0, r1]. */
  const medianIn = (c: [number, number], r0: number, r1: number): number => {
    const xs: number[] = [];
    const [i0, i1, j0, j1] = box(c, r1);
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) {
      const r = distMm(i, j, c);
      if (r >= r0 && r <= r1) xs.push(px[i + j * nx]);
    }
    xs.sort((a, b) => a - b);
    return xs[xs.length >> 1] ?? 0;
  };
  const tissue = medianIn(seed, TISSUE_RING_MM[0], TISSUE_RING_MM[1]);
  if (!(csf > 0) || csf < MIN_CSF_CONTRAST * tissue) {
    // The axial series is a T2 by its headers (series.ts), so a dark seed means no CSF there, not another weighting.
    return { reason: `no CSF-bright sac at the seed (brightest ${fmt(csf)} vs surrounding tissue ${fmt(tissue)}: CSF effaced, or the seed missed the sac): measure by hand` };
  }
  // Window just beyond the leak radius and the opening: a region pixel beyond the radius = leak.
  const [i0, i1, j0, j1] = box(st, MAX_SAC_RADIUS_MM + OPENING_RADIUS_MM + Math.max(sx, sy));
  const w = i1 - i0 + 1, h = j1 - j0 + 1;
  const startP = st[0] - i0 + (st[1] - j0) * w;
  const ball = ballOffsets(OPENING_RADIUS_MM, [sx, sy]);

  const leaks = (region: Uint8Array) => {
    for (let p = 0; p < w * h; p++) if (region[p] && distMm((p % w) + i0, Math.floor(p / w) + j0, st) > MAX_SAC_RADIUS_MM) return true;
    return false;
  };
  let inRegion: Uint8Array | undefined, levels: Levels | undefined, bright = new Uint8Array(0);
  for (const f of EDGE_FRACTIONS) {
    levels = { csf, tissue, edge: tissue + f * (csf - tissue) };
    bright = new Uint8Array(w * h);
    for (let b = 0; b < h; b++) for (let a = 0; a < w; a++) bright[a + b * w] = px[a + i0 + (b + j0) * nx] >= levels.edge ? 1 : 0;
    const plain = grow4(bright, w, h, startP);
    if (!leaks(plain)) { inRegion = plain; break; }
    // Opening by reconstruction: grow in the eroded mask (thin strands to root sleeves and fat are
    // gone), then dilate back within the bright mask. Only when the plain region leaks: erosion also
    // cuts the thin CSF between clumped roots.
    const core = morph(bright, w, h, ball, 'erode');
    if (!core[startP]) break;
    const opened = morph(grow4(core, w, h, startP), w, h, ball, 'dilate');
    for (let p = 0; p < w * h; p++) opened[p] &= bright[p];
    if (!leaks(opened)) { inRegion = opened; break; }
  }
  if (!inRegion || !levels) {
    return { reason: `the CSF-bright region runs on beyond ${MAX_SAC_RADIUS_MM} mm from the sac centre (joined to epidural fat, facet fluid or a cyst): measure by hand`, levels };
  }
  // Front-to-back extent (mm) along the image's posterior direction (the LPS y axis projected into the plane); null in a near-sagittal plane.
  const ux = s.rowDirection[1] * sx, uy = s.columnDirection[1] * sy, un = Math.hypot(s.rowDirection[1], s.columnDirection[1]);
  const apSpanMm = (m: Uint8Array): number | null => {
    if (un <= 0.5) return null;
    let lo = Infinity, hi = -Infinity;
    for (let p = 0; p < w * h; p++) if (m[p]) { const t = ((p % w) * ux + Math.floor(p / w) * uy) / un; lo = Math.min(lo, t); hi = Math.max(hi, t); }
    return hi - lo + Math.hypot(ux, uy) / un;
  };
  // Between crescents: the cord and roots, grey, not darker than the tissue around the sac (dura, ligament, bone).
  const notDark = new Uint8Array(w * h);
  for (let b = 0; b < h; b++) for (let a = 0; a < w; a++) notDark[a + b * w] = px[a + i0 + (b + j0) * nx] >= tissue ? 1 : 0;
  const maxJoinedAp = sagittalApMm ? MAX_JOINED_AP_FRACTION_OF_SAGITTAL * sagittalApMm : Infinity;
  const crescentsJoined = joinCrescents(inRegion, bright, notDark, w, h, [sx, sy], (m) => !leaks(m) && (apSpanMm(m) ?? 0) <= maxJoinedAp);
  fillHoles(inRegion, w, h);
  let n = 0;
  for (let p = 0; p < w * h; p++) n += inRegion[p];
  const areaMm2 = n * sx * sy;
  if (areaMm2 < MIN_SAC_AREA_MM2) {
    return { reason: `the CSF-bright region is only ${fmt(areaMm2)} mm² (under ${MIN_SAC_AREA_MM2} mm²: CSF effaced, or the seed missed the sac): measure by hand`, levels };
  }
  const apMm = apSpanMm(inRegion);
  if (sagittalApMm && apMm !== null) {
    if (apMm < MIN_AP_FRACTION_OF_SAGITTAL * sagittalApMm) {
      return { reason: `the CSF-bright region at the seed spans only ${fmt(apMm)} mm front to back, under ${MIN_AP_FRACTION_OF_SAGITTAL} × the sagittal AP of ${fmt(sagittalApMm)} mm (the conus or clumped roots split the CSF, or the sagittal AP is wrong): measure by hand`, levels };
    }
  }
  return { areaMm2, levels, crescentsJoined, outline: outline(inRegion, w, h, n).map(([a, b]) => [a + i0, b + j0]) };
}

/**
 * Joins to `region` (in place) the other components of `bright` within CRESCENT_GAP_MM of it that are at
 * least MIN_CRESCENT_MM2 and keep the union `fits`, then adds the pixels of the union's convex hull that
 * are `notDark` (rule at CRESCENT_GAP_MM). Returns how many components were joined.
 */
function joinCrescents(region: Uint8Array, bright: Uint8Array, notDark: Uint8Array, w: number, h: number, spacing: [number, number], fits: (m: Uint8Array) => boolean): number {
  const near = morph(region, w, h, ballOffsets(CRESCENT_GAP_MM, spacing), 'dilate');
  const seen = new Uint8Array(w * h);
  let joined = 0;
  for (let p = 0; p < w * h; p++) {
    if (!bright[p] || region[p] || !near[p] || seen[p]) continue;
    const comp = grow4(bright, w, h, p);
    let n = 0;
    for (let q = 0; q < w * h; q++) if (comp[q]) { seen[q] = 1; n++; }
    // A component holding region pixels is the leaking plain region the opening cut the sac from.
    if (n * spacing[0] * spacing[1] < MIN_CRESCENT_MM2 || comp.some((v, q) => v && region[q])) continue;
    const union = comp.map((v, q) => v | region[q]);
    if (fits(union)) { region.set(union); joined++; }
  }
  if (!joined) return 0;
  const centres: [number, number][] = [];
  for (let p = 0; p < w * h; p++) if (region[p]) centres.push([(p % w) + 0.5, Math.floor(p / w) + 0.5]);
  const inHull = hullMask(convexHull(centres), w, h);
  for (let p = 0; p < w * h; p++) if (inHull[p] && notDark[p]) region[p] = 1;
  return joined;
}

/**
 * The displayed outline, fractional pixel indices of the window: the measured region's boundary along pixel edges,
 * so that it encloses exactly the pixels counted (its area is the area measured). Where a dark band still parts the
 * joined crescents (joinCrescents keeps only the hull's pixels that are not dark), it goes round their convex hull.
 */
function outline(m: Uint8Array, w: number, h: number, pixelCount: number): [number, number][] {
  let pts = outerBoundary(m, w, h);
  if (polygonArea(pts) < pixelCount) {
    const centres: [number, number][] = [];
    for (let p = 0; p < w * h; p++) if (m[p]) centres.push([(p % w) + 0.5, Math.floor(p / w) + 0.5]);
    const hull = hullMask(convexHull(centres), w, h);
    pts = outerBoundary(hull.map((v, p) => v | m[p]), w, h);
  }
  return pts.map(([a, b]) => [a - 0.5, b - 0.5]);
}
