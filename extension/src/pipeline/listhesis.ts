/**
 * Vertebral slip at one disc level (spondylolisthesis: anterolisthesis or retrolisthesis) on the mid-sagittal
 * slice, from the network's vertebral-body masks. Framework-free.
 *
 * Method (Meyerding H.W., Surg Gynecol Obstet 1932;54:371–7; percentage of slip as Taillard's, both as described
 * by Butt S., Saifuddin A., Clin Radiol 2005;60:533–46): the translation of the upper vertebral body's posterior
 * wall relative to the lower body's posterior wall at the disc, measured along the disc's AP axis (its major
 * principal axis, ≈ parallel to the endplates), and as a percentage of the AP depth of the lower body's superior
 * endplate, measured along that endplate (a line fitted to the body's disc-facing surface). Each posterior wall is a
 * line fitted (Theil–Sen) to the body's most posterior pixel per row over the half of the body next to the disc and
 * read at the disc's centre line — the posterior vertebral body lines of the radiographic method — so that a stray
 * pixel, a rounded corner or an osteophyte spur moves it little.
 * All positions in the sagittal mm frame of measure.ts (ap = posterior mm, si = superior mm).
 */
import type { PlanePixel, PlaneShape } from './measure';
import { fromShapeAxes, median, toShapeAxes } from './measure';

/** Thickness of the band next to the lower body's endplate in which its AP depth is measured (and each body's along the disc's axis, to check it is whole), mm (project choice: a few rows of a 25–30 mm high lumbar body). */
export const ENDPLATE_BAND_MM = 4;
/**
 * The part of each body whose posterior wall is fitted with a line, mm from the endplate facing the disc: not the
 * first millimetre (rounded corners, osteophytes), up to 15 mm (about half a lumbar body). Chosen on SPIDER
 * (`npm run eval:grading`) among corner-band and 10/15/20/25 mm line variants, by the AUC against the readers' label.
 */
const WALL_FROM_MM = 1, WALL_TO_MM = 15;
/** Fewer rows than this in a band: the body is cut (edge of image or segmentation) and the slip is not measured. */
const MIN_BAND_ROWS = 3;
/**
 * An endplate band shallower than this fraction of the disc's AP length: the body is only partly segmented on the
 * slice, and its walls are not the body's (project choice; on SPIDER such fragments gave slips of 10–40 mm at levels
 * the readers graded free of spondylolisthesis).
 */
export const MIN_ENDPLATE_DEPTH_FRACTION = 0.7;

/** Slip of the upper body on the lower one at one disc level. */
export interface ListhesisMeasure {
  /** Translation along the disc's AP axis, mm: > 0 the upper body lies anterior (anterolisthesis), < 0 posterior (retrolisthesis). */
  slipMm: number;
  /** AP depth of the lower body at its superior endplate, measured along that endplate, mm. */
  lowerEndplateDepthMm: number;
  /** 100 × slipMm / lowerEndplateDepthMm (signed like slipMm). */
  slipPercent: number;
  /**
   * The two posterior vertebral body lines as one path, sagittal mm frame [ap, si]: the upper body's line from 15 mm
   * above its endplate to the disc's centre line, then the lower body's from the centre line to 15 mm below its
   * endplate (the step between points 2 and 3 is the slip). For drawing the evidence on the image.
   */
  posteriorLinesMm: [number, number][];
}

/**
 * Measure the slip between two vertebral bodies around one disc.
 * @param upper pixels of the vertebral body above the disc on the mid-sagittal slice.
 * @param lower pixels of the body (or S1) below it on the same slice.
 * @param disc the disc's principal axes (measure.ts principalAxes: major points posterior, minor superior) and its AP length, mm.
 * @param pixelMm the slice's smallest pixel spacing, mm.
 * @returns the measure, or a reason why it could not be taken (a body cut by the image or the segmentation).
 */
export function measureListhesis(upper: PlanePixel[], lower: PlanePixel[], disc: PlaneShape & { discLengthMm: number }, pixelMm: number): ListhesisMeasure | { reason: string } {
  const upperWalls = endplateWalls(upper, disc, pixelMm, 'inferior');
  const lowerWalls = endplateWalls(lower, disc, pixelMm, 'superior');
  // The cut check reads the depth along the disc's axis: a fragment's cut edge can pass for a tilted endplate.
  const depthOf = (w: typeof upperWalls) => w?.depthAlongDiscMm ?? 0;
  const minDepth = MIN_ENDPLATE_DEPTH_FRACTION * disc.discLengthMm;
  const cut = depthOf(upperWalls) < minDepth ? 'above' : depthOf(lowerWalls) < minDepth ? 'below' : undefined;
  if (cut || !upperWalls || !lowerWalls) return { reason: `the vertebral body ${cut} the disc is only partly segmented at its endplate on the mid-sagittal slice (under ${MIN_ENDPLATE_DEPTH_FRACTION} of the disc's AP length)` };
  const slipMm = lowerWalls.posteriorU - upperWalls.posteriorU;
  const depth = lowerWalls.depthMm;
  return { slipMm, lowerEndplateDepthMm: depth, slipPercent: (100 * slipMm) / depth, posteriorLinesMm: [...upperWalls.lineUv, ...lowerWalls.lineUv.reverse()].map(([u, v]) => fromShapeAxes(disc, u, v)) };
}

/**
 * The body's posterior wall line (Theil–Sen fit of its most posterior pixel per 1-pixel row, WALL_FROM_MM..WALL_TO_MM
 * from the endplate facing the disc) evaluated at the disc's centre line (v = 0), and its AP depth at that endplate
 * (depthAlongMm) along the endplate and along the disc's axis.
 */
function endplateWalls(px: PlanePixel[], disc: PlaneShape, pixelMm: number, side: 'inferior' | 'superior') {
  if (px.length < 10) return undefined;
  const uv = px.map((p) => toShapeAxes(disc, p.ap, p.si));
  // The endplate's level: the 2nd percentile of v from the disc side, so that a stray pixel does not set it.
  const vs = uv.map((q) => q.v).sort((a, b) => a - b);
  const endplateV = side === 'inferior' ? vs[Math.floor(0.02 * (vs.length - 1))] : vs[Math.ceil(0.98 * (vs.length - 1))];
  const wall = new Map<number, number>();
  for (const q of uv) {
    const depth = side === 'inferior' ? q.v - endplateV : endplateV - q.v;
    if (depth >= WALL_FROM_MM && depth <= WALL_TO_MM) { const r = Math.round(q.v / pixelMm); wall.set(r, Math.max(wall.get(r) ?? -Infinity, q.u)); }
  }
  const uw = uv.map((q) => ({ u: q.u, w: side === 'superior' ? q.v : -q.v }));
  // Along the disc's axis from the pixel nearest the disc (2nd percentile, as endplateV); along the endplate as fitted.
  const depthAlongDiscMm = depthAlongMm(uw, pixelMm, { tilt: 0, level: side === 'superior' ? endplateV : -endplateV });
  const depthMm = depthAlongMm(uw, pixelMm, endplateLine(uw, pixelMm));
  if (depthAlongDiscMm === undefined || depthMm === undefined || wall.size < MIN_BAND_ROWS) return undefined;
  const pts = [...wall.entries()].map(([r, u]) => [r * pixelMm, u] as const);
  const slope = theilSenSlope(pts);
  const posteriorU = median(pts.map(([v, u]) => u - slope * v));
  const farV = side === 'inferior' ? endplateV + WALL_TO_MM : endplateV - WALL_TO_MM;
  return {
    posteriorU,
    /** The fitted wall from its far end to the disc's centre line, (u, v). */
    lineUv: [[posteriorU + slope * farV, farV], [posteriorU, 0]] as [number, number][],
    /** AP depth along the endplate (endplateLine), mm. */
    depthMm,
    /** AP depth along the disc's axis, mm: the body is whole at the disc only if this is not much shorter than the disc. */
    depthAlongDiscMm,
  };
}

/** A line w = tilt·u + level in the disc's axes (mm; u along the disc's AP axis, w towards the disc). */
interface UwLine { tilt: number; level: number }

/**
 * The body's endplate facing the disc, fitted (Theil–Sen) to the body's disc-facing surface (per 1-pixel column, the
 * pixel nearest the disc) over the middle half of its columns, so that rounded corners, osteophytes and a spike at the
 * rim set neither its tilt nor its level.
 * @param uw the body's pixels in the disc's axes, mm: u along the disc's AP axis, w towards the disc.
 */
function endplateLine(uw: { u: number; w: number }[], pixelMm: number): UwLine {
  const surface = new Map<number, number>();
  for (const q of uw) { const c = Math.round(q.u / pixelMm); surface.set(c, Math.max(surface.get(c) ?? -Infinity, q.w)); }
  const columns = [...surface.entries()].sort((a, b) => a[0] - b[0]);
  const middle = columns.slice(Math.floor(columns.length / 4), Math.ceil((3 * columns.length) / 4)).map(([c, w]) => [c * pixelMm, w] as const);
  const tilt = theilSenSlope(middle);
  return { tilt, level: median(middle.map(([u, w]) => w - tilt * u)) };
}

/**
 * The body's AP depth at its endplate facing the disc, mm: the median extent, along `line`, of the 1-pixel rows
 * parallel to it within ENDPLATE_BAND_MM inside the body.
 * @param uw the body's pixels in the disc's axes, mm: u along the disc's AP axis, w towards the disc.
 * @returns undefined with under MIN_BAND_ROWS rows in the band.
 */
function depthAlongMm(uw: { u: number; w: number }[], pixelMm: number, line: UwLine): number | undefined {
  const norm = Math.hypot(1, line.tilt);
  const band = new Map<number, { lo: number; hi: number }>();
  for (const q of uw) {
    const inside = (line.level + line.tilt * q.u - q.w) / norm; // mm into the body from the line
    if (inside < 0 || inside > ENDPLATE_BAND_MM) continue;
    const r = Math.round((q.w - line.tilt * q.u) / norm / pixelMm), along = (q.u + line.tilt * q.w) / norm, e = band.get(r);
    if (!e) band.set(r, { lo: along, hi: along }); else { e.lo = Math.min(e.lo, along); e.hi = Math.max(e.hi, along); }
  }
  if (band.size < MIN_BAND_ROWS) return undefined;
  const rows = [...band.values()];
  return median(rows.map((e) => e.hi)) - median(rows.map((e) => e.lo)) + pixelMm;
}

/** Theil–Sen slope of y on x over point pairs more than 2 mm apart in x; 0 without such a pair. */
function theilSenSlope(pts: readonly (readonly [number, number])[]): number {
  const slopes: number[] = [];
  for (let a = 0; a < pts.length; a++) for (let b = a + 1; b < pts.length; b++) if (Math.abs(pts[b][0] - pts[a][0]) > 2) slopes.push((pts[b][1] - pts[a][1]) / (pts[b][0] - pts[a][0]));
  return slopes.length ? median(slopes) : 0;
}
