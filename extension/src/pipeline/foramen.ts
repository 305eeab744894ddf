/**
 * Neural foramina on the parasagittal slices of a sagittal T2 (or T1) series: at each disc and side, the
 * foraminal fat, the foramen it outlines, and the exiting nerve root inside it, for the Lee grade
 * (grade/foramen.ts; Lee S. et al., AJR 2010;194:1095–8: grades by perineural fat obliteration).
 * Positions: the sagittal mm frame of measure.ts (ap = LPS y, posterior mm; si = LPS z, superior mm), the
 * same on every slice of a sagittal series; outlines are given in LPS mm.
 *
 * Rule (project heuristic, not from a paper; checked by eye on the segmentation/ T2 volumes,
 * `npm run eval:foramen -- --overlays DIR`):
 * - Slices: those whose distance from the disc centre along LPS x (patient left +) lies within
 *   FORAMEN_OFFSET_MM; +x is the patient's left.
 * - Window, aligned with the disc (u along its AP axis, posterior +; v perpendicular, superior +): from
 *   the disc's posterior margin on that slice (the disc mask there, else the mid-sagittal margin) to
 *   WINDOW_U_MM[1] behind it, and from WINDOW_V_MM[0] below the disc's lower edge
 *   to WINDOW_V_MM[1] above its upper edge — the foramen lies behind the disc and the lower part of the
 *   vertebral body above, between the pedicles.
 * - Fat: pixels at or above the window's Otsu threshold (fat is the brightest tissue there on T1 and on
 *   T2 TSE), refused when its mean is under MIN_FAT_CONTRAST × the mean of the rest.
 * - Foramen: the convex hull of the fat components (≥ MIN_FAT_PIECE_MM2) that reach the zone directly behind
 *   the disc (CORE_U_MM, the disc's height + CORE_V_MM above it); its area and its height along v. Refused
 *   when the hull reaches the window's top or bottom edge: fat running on beyond it is paraspinal or epidural
 *   fat, not a foramen closed by the pedicles.
 * - Root: the largest non-fat piece inside the hull of ROOT_AREA_MM2 whose
 *   centre lies in the upper two thirds of the foramen. Perineural fat is obliterated in a
 *   direction (superior, inferior, anterior, posterior) when at least OBLITERATED_BORDER_FRACTION of the
 *   root's border facing that way lies on the hull's edge.
 * - Per side, the slice with a root and the most fat (of equal fat, the one nearer the disc centre); without a
 *   root anywhere, the slice with the most fat is reported without a root.
 * Known limits: a root touching the pedicle or disc is told from the bone only by the hull edge; a foramen
 * without any fat left is not found ("no foraminal fat"), so the most severe cases come back not assessable
 * rather than graded; left/right rely on the series' orientation (LPS x).
 */
import type { DiscAnalysis } from './measure-spine';
import { components4, convexHull, hullMask, otsuThreshold } from './mask2d';
import { fromShapeAxes, sagittalFrame, toShapeAxes } from './measure';
import { voxelToLps, type Labelmap, type SpineVolume, type Vec3 } from './volume';

/** Lateral distance of the measured slices from the disc centre, mm (lumbar foramina lie 10–25 mm off the midline). */
export const FORAMEN_OFFSET_MM: [number, number] = [14, 26];
/** Window along the disc axis relative to the disc's posterior margin on the slice, mm (the disc is the foramen's anterior wall). */
export const WINDOW_U_MM: [number, number] = [0, 12];
/** Window across the disc: below its lower edge, above its upper edge, mm. */
export const WINDOW_V_MM: [number, number] = [5, 14];
/** Fat pieces must reach u ∈ CORE_U_MM (relative to the posterior margin) … */
export const CORE_U_MM: [number, number] = [0, 8];
/** … and lie within the disc's height extended by this far above it, mm (the upper foramen, under the pedicle). */
export const CORE_V_MM = 8;
/** Smaller bright pieces (mm²) are noise or vessels, not foraminal fat. */
export const MIN_FAT_PIECE_MM2 = 2;
/** Root size, mm² (the exiting root with its ganglion is about 4–8 mm across); smaller dark pieces are vessels or noise, larger ones bone or disc. */
export const ROOT_AREA_MM2: [number, number] = [6, 60];
/**
 * Perineural fat is obliterated in a direction when the root lies against the foramen's wall (the fat outline's
 * edge, no fat between) along at least this fraction of its border facing that way. Project rule, the plain
 * majority, not fitted: counting a root that touched the wall at one pixel (the rule before 2026-12-05) graded 17
 * of 175 foramina of mostly healthy volunteers Lee 1–2, and a voxel or two of disc outline changed the grade at
 * 10 foramina (`npm run eval:foramen`, docs/analysis.md).
 */
export const OBLITERATED_BORDER_FRACTION = 0.5;
/** The window's bright class must be this many times brighter than the rest to be fat (not a flat, fat-less window). */
export const MIN_FAT_CONTRAST = 1.4;

export type Side = 'left' | 'right';
export type Direction = 'superior' | 'inferior' | 'anterior' | 'posterior';
const DIRECTIONS: Direction[] = ['superior', 'inferior', 'anterior', 'posterior'];

export interface ForamenMeasure {
  side: Side;
  segmentNumber: number;
  /** Slice measured and its distance from the disc centre, mm; null when no slice lies in FORAMEN_OFFSET_MM. */
  sliceIndex: number | null;
  lateralOffsetMm: number | null;
  /** Weighting of the series measured ('T1' when the study's sagittal T1 was used, as Lee graded). */
  weighting: 'T1' | 'T2' | 'STIR';
  /** The slice measured: SOPInstanceUID, series and frame of reference (empty for non-DICOM input). */
  sopInstanceUid?: string;
  /** The frame of a multi-frame instance (SpineVolume.frameNumbers), and the image's SOP Class. */
  frameNumber?: number;
  sopClassUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  foramenAreaMm2: number | null;
  /** Extent of the foramen across the disc axis (≈ superior–inferior), mm. */
  foramenHeightMm: number | null;
  fatAreaMm2: number | null;
  /** Directions in which the root lies against the foramen's edge (perineural fat obliterated); null when no root was found. */
  obliterated: Direction[] | null;
  /** Per direction, the fraction of the root's border facing that way that lies against the foramen's edge (0–1); absent without a root. */
  rootOnWallFraction?: Record<Direction, number>;
  rootAreaMm2: number | null;
  /** Foramen outline (hull) and root centre, LPS mm, for display. */
  outlineLps?: Vec3[];
  rootCentreLps?: Vec3;
  /** Why nothing (or no root) was measured. */
  reason?: string;
  /** What the reader should know of the series measured (a T1 after contrast), appended to the grade's rule. */
  seriesNote?: string;
}

/** Both foramina of one disc. */
export interface DiscForamina { segmentNumber: number; left: ForamenMeasure; right: ForamenMeasure }

/**
 * Measure the left and right foramen at every disc.
 * @param volume the sagittal series to measure on: the analysed one, or another in the same frame of
 *   reference (the study's sagittal T1); the discs' positions (LPS) come from the analysed series.
 * @param labelmap the network's labelmap when it lies in `volume`'s geometry (disc masks give the posterior
 *   margin per slice); otherwise undefined and the mid-sagittal margin is used on every slice.
 * @throws Error when the volume is not sagittal (sagittalFrame).
 */
export function measureForamina(volume: SpineVolume, discs: DiscAnalysis[], labelmap?: Labelmap): DiscForamina[] {
  return discs.map((d) => ({
    segmentNumber: d.segment.segmentNumber,
    left: measureSide(volume, labelmap, d, 'left'),
    right: measureSide(volume, labelmap, d, 'right'),
  }));
}

function weightingOf(v: SpineVolume): ForamenMeasure['weighting'] {
  return v.role === 'sagittal_t1' ? 'T1' : v.role === 'sagittal_stir' ? 'STIR' : 'T2';
}

function lateralOffsetMm(volume: SpineVolume, d: DiscAnalysis, k: number): number {
  const [i, j] = sagittalFrame(volume, k).toIj(d.measures.shape.centre[0], d.measures.shape.centre[1]);
  return voxelToLps(volume, i, j, k)[0] - d.segment.centroidLps[0];
}

/** A foramen with nothing measured yet. */
function unmeasured(volume: SpineVolume, d: DiscAnalysis, side: Side): ForamenMeasure {
  return { side, segmentNumber: d.segment.segmentNumber, weighting: weightingOf(volume), sliceIndex: null, lateralOffsetMm: null, foramenAreaMm2: null, foramenHeightMm: null, fatAreaMm2: null, obliterated: null, rootAreaMm2: null };
}

function measureSide(volume: SpineVolume, labelmap: Labelmap | undefined, d: DiscAnalysis, side: Side): ForamenMeasure {
  const empty = unmeasured(volume, d, side);
  const slices: { k: number; offset: number }[] = [];
  for (let k = 0; k < volume.dims[2]; k++) {
    const offset = lateralOffsetMm(volume, d, k);
    const lateral = side === 'left' ? offset : -offset;
    if (lateral >= FORAMEN_OFFSET_MM[0] && lateral <= FORAMEN_OFFSET_MM[1]) slices.push({ k, offset });
  }
  const why = volume.dims[2] === 1 ? 'the series has a single sagittal slice' : 'series too narrow or slices too thick';
  if (!slices.length) return { ...empty, reason: `no slice ${FORAMEN_OFFSET_MM[0]}–${FORAMEN_OFFSET_MM[1]} mm to the ${side} of the disc centre (${why})` };
  const measured = slices.map(({ k, offset }) => measureSlice(volume, labelmap, d, k, offset, side));
  const ok = measured.filter((x) => x.foramenAreaMm2 !== null);
  if (!ok.length) return { ...empty, reason: measured[0].reason };
  const withRoot = ok.filter((x) => x.obliterated !== null);
  const pool = withRoot.length ? withRoot : ok;
  // Equal fat: the slice nearer the disc centre, so that the choice never depends on the order the slices are stored in.
  const better = (b: ForamenMeasure, a: ForamenMeasure) => {
    const fatA = a.fatAreaMm2 ?? 0, fatB = b.fatAreaMm2 ?? 0;
    return fatB > fatA || (fatB === fatA && (b.lateralOffsetMm ?? Infinity) < (a.lateralOffsetMm ?? Infinity));
  };
  const best = pool.reduce((a, b) => (better(b, a) ? b : a));
  return withRoot.length ? best : { ...best, reason: `no nerve root seen inside the foraminal fat on ${slices.length} slices ${FORAMEN_OFFSET_MM[0]}–${FORAMEN_OFFSET_MM[1]} mm ${side} of the disc centre` };
}

const NOT_CLOSED = 'no foramen closed by the pedicles above and below (the fat behind the disc runs on beyond the window)';
const NO_FAT = 'no bright foraminal fat behind the disc (fat obliterated, or the foramen not in these slices)';

function measureSlice(volume: SpineVolume, labelmap: Labelmap | undefined, d: DiscAnalysis, k: number, offset: number, side: Side): ForamenMeasure {
  const base: ForamenMeasure = {
    ...unmeasured(volume, d, side), sliceIndex: k, lateralOffsetMm: Math.abs(offset),
    sopInstanceUid: volume.sopInstanceUids[k], frameNumber: volume.frameNumbers?.[k], sopClassUid: volume.sopClassUid, seriesInstanceUid: volume.seriesInstanceUid, frameOfReferenceUid: volume.frameOfReferenceUid,
  };
  const frame = sagittalFrame(volume, k);
  const shape = d.measures.shape; // major: posterior, minor: superior (principalAxes)
  const toMm = (u: number, v: number) => fromShapeAxes(shape, u, v);
  const halfH = d.measures.discHeightMm / 2;
  const uPost = (labelmap && posteriorMarginU(volume, labelmap, d, k)) ?? toShapeAxes(shape, ...d.measures.posteriorPointMm).u;

  const step = frame.pixelMm;
  const u0 = uPost + WINDOW_U_MM[0], v0 = -halfH - WINDOW_V_MM[0];
  const w = Math.round((WINDOW_U_MM[1] - WINDOW_U_MM[0]) / step), h = Math.round((2 * halfH + WINDOW_V_MM[0] + WINDOW_V_MM[1]) / step);
  const vals = new Float32Array(w * h);
  for (let b = 0; b < h; b++) for (let a = 0; a < w; a++) {
    const [ap, si] = toMm(u0 + (a + 0.5) * step, v0 + (b + 0.5) * step);
    vals[a + b * w] = frame.sample(ap, si);
  }
  const finite = Array.from(vals).filter(Number.isFinite);
  if (finite.length < 0.8 * w * h) return { ...base, reason: 'the foraminal window lies outside the image' };
  const t = otsuThreshold(finite);
  const fat = new Uint8Array(w * h);
  let fatSum = 0, fatN = 0, restSum = 0, restN = 0;
  for (let p = 0; p < w * h; p++) {
    if (vals[p] >= t) { fat[p] = 1; fatSum += vals[p]; fatN++; } else if (Number.isFinite(vals[p])) { restSum += vals[p]; restN++; }
  }
  if (!fatN || !restN || fatSum / fatN < MIN_FAT_CONTRAST * (restSum / restN)) return { ...base, reason: NO_FAT };

  const px2 = step * step;
  const inCore = (p: number) => {
    const a = p % w, b = (p - a) / w;
    const u = u0 + (a + 0.5) * step - uPost, v = v0 + (b + 0.5) * step;
    return u >= CORE_U_MM[0] && u <= CORE_U_MM[1] && v >= -halfH && v <= halfH + CORE_V_MM;
  };
  const pieces = components4(fat, w, h).filter((c) => c.length * px2 >= MIN_FAT_PIECE_MM2 && c.some(inCore));
  if (!pieces.length) return { ...base, reason: NO_FAT };
  const fatPixels = pieces.flat();
  const corners: [number, number][] = [];
  for (const p of fatPixels) { const a = p % w, b = (p - a) / w; corners.push([a, b], [a + 1, b], [a, b + 1], [a + 1, b + 1]); }
  const hull = convexHull(corners);
  const mask = hullMask(hull, w, h);
  let area = 0, bMin = h, bMax = -1;
  for (let p = 0; p < w * h; p++) if (mask[p]) { area++; const b = Math.floor(p / w); bMin = Math.min(bMin, b); bMax = Math.max(bMax, b); }
  // Fat up to the window's top or bottom edge: not a foramen closed by the pedicles (paraspinal or epidural fat, or a leak).
  if (bMin === 0 || bMax === h - 1) return { ...base, reason: NOT_CLOSED };
  const toLps = (a: number, b: number): Vec3 => {
    const [ap, si] = toMm(u0 + a * step, v0 + b * step);
    const [fi, fj] = frame.toIj(ap, si);
    return voxelToLps(volume, fi, fj, k);
  };
  const out: ForamenMeasure = {
    ...base,
    foramenAreaMm2: area * px2,
    foramenHeightMm: (bMax - bMin + 1) * step,
    fatAreaMm2: fatPixels.length * px2,
    outlineLps: hull.map(([a, b]) => toLps(a, b)),
  };

  const dark = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) dark[p] = mask[p] && !fat[p] ? 1 : 0;
  // The root exits under the pedicle: its centre lies in the upper two thirds of the foramen.
  const upper = (c: number[]) => c.reduce((s, p) => s + Math.floor(p / w), 0) / c.length >= bMin + (bMax - bMin) / 3;
  const roots = components4(dark, w, h).filter((c) => c.length * px2 >= ROOT_AREA_MM2[0] && c.length * px2 <= ROOT_AREA_MM2[1] && upper(c));
  if (!roots.length) return out;
  const root = roots.reduce((x, y) => (y.length > x.length ? y : x));
  // For each direction, the root's border pixels facing that way (neighbour not root): the fraction of them whose
  // neighbour lies outside the hull, i.e. against the wall with no fat between.
  const onWall = (da: number, db: number) => {
    let border = 0, wall = 0;
    for (const p of root) {
      const a = p % w + da, b = Math.floor(p / w) + db;
      const inWindow = a >= 0 && b >= 0 && a < w && b < h;
      if (inWindow && mask[a + b * w] && !fat[a + b * w]) continue; // the root itself
      border++;
      if (!inWindow || !mask[a + b * w]) wall++;
    }
    return wall / border;
  };
  const rootOnWallFraction: Record<Direction, number> = { superior: onWall(0, 1), inferior: onWall(0, -1), anterior: onWall(-1, 0), posterior: onWall(1, 0) };
  const obliterated = DIRECTIONS.filter((x) => rootOnWallFraction[x] >= OBLITERATED_BORDER_FRACTION);
  const ra = root.reduce((s, p) => s + (p % w), 0) / root.length, rb = root.reduce((s, p) => s + Math.floor(p / w), 0) / root.length;
  return { ...out, obliterated, rootOnWallFraction, rootAreaMm2: root.length * px2, rootCentreLps: toLps(ra + 0.5, rb + 0.5) };
}

/** The disc's posterior end along its AP axis on slice k (its mask pixels within a quarter height of the axis), or null. */
function posteriorMarginU(volume: SpineVolume, labelmap: Labelmap, d: DiscAnalysis, k: number): number | null {
  const [nx, ny] = volume.dims;
  const frame = sagittalFrame(volume, k);
  const seg = d.segment.segmentNumber, base = k * nx * ny;
  let best: number | null = null, n = 0;
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (labelmap.values[base + i + j * nx] !== seg) continue;
    const { u, v } = toShapeAxes(d.measures.shape, ...frame.toMm(i, j));
    if (Math.abs(v) > d.measures.discHeightMm / 4) continue;
    n++;
    if (best === null || u > best) best = u;
  }
  return n >= 5 ? best : null;
}
