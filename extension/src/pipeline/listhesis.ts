/**
 * Vertebral slip at one disc level (spondylolisthesis: anterolisthesis or retrolisthesis) on the mid-sagittal
 * slice, from the network's vertebral-body masks. Framework-free.
 *
 * Method (Meyerding H.W., Surg Gynecol Obstet 1932;54:371–7; percentage of slip as Taillard's, both as described
 * by Butt S., Saifuddin A., Clin Radiol 2005;60:533–46): the translation of the upper vertebral body's posterior
 * wall relative to the lower body's posterior wall at the disc, measured along the disc's AP axis (its major
 * principal axis, ≈ parallel to the endplates), and as a percentage of the AP depth of the lower body's superior
 * endplate. Each posterior wall is a line fitted (Theil–Sen) to the body's most posterior pixel per row over the
 * half of the body next to the disc and read at the disc's centre line — the posterior vertebral body lines of the
 * radiographic method — so that a stray pixel, a rounded corner or an osteophyte spur moves it little.
 * All positions in the sagittal mm frame of measure.ts (ap = posterior mm, si = superior mm).
 */
import type { PlanePixel, PlaneShape } from './measure';
import { fromShapeAxes, median, toShapeAxes } from './measure';

/** Thickness of the band next to the lower body's endplate in which its AP depth is measured (and the upper body's, to check it is whole), mm (project choice: a few rows of a 25–30 mm high lumbar body). */
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
  /** AP depth of the lower body at its superior endplate, mm. */
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
  const depthOf = (w: typeof upperWalls) => w?.depthMm ?? 0;
  const minDepth = MIN_ENDPLATE_DEPTH_FRACTION * disc.discLengthMm;
  const cut = depthOf(upperWalls) < minDepth ? 'above' : depthOf(lowerWalls) < minDepth ? 'below' : undefined;
  if (cut || !upperWalls || !lowerWalls) return { reason: `the vertebral body ${cut} the disc is only partly segmented at its endplate on the mid-sagittal slice (under ${MIN_ENDPLATE_DEPTH_FRACTION} of the disc's AP length)` };
  const slipMm = lowerWalls.posteriorU - upperWalls.posteriorU;
  const depth = depthOf(lowerWalls);
  return { slipMm, lowerEndplateDepthMm: depth, slipPercent: (100 * slipMm) / depth, posteriorLinesMm: [...upperWalls.lineUv, ...lowerWalls.lineUv.reverse()].map(([u, v]) => fromShapeAxes(disc, u, v)) };
}

/**
 * The body's posterior wall line (Theil–Sen fit of its most posterior pixel per 1-pixel row, WALL_FROM_MM..WALL_TO_MM
 * from the endplate facing the disc) evaluated at the disc's centre line (v = 0), and its anterior wall and AP depth
 * in the ENDPLATE_BAND_MM next to that endplate.
 */
function endplateWalls(px: PlanePixel[], disc: PlaneShape, pixelMm: number, side: 'inferior' | 'superior') {
  if (px.length < 10) return undefined;
  const uv = px.map((p) => toShapeAxes(disc, p.ap, p.si));
  // The endplate's level: the 2nd percentile of v from the disc side, so that a stray pixel does not set it.
  const vs = uv.map((q) => q.v).sort((a, b) => a - b);
  const endplateV = side === 'inferior' ? vs[Math.floor(0.02 * (vs.length - 1))] : vs[Math.ceil(0.98 * (vs.length - 1))];
  const band = new Map<number, { lo: number; hi: number }>(), wall = new Map<number, number>();
  for (const q of uv) {
    const depth = side === 'inferior' ? q.v - endplateV : endplateV - q.v;
    const r = Math.round(q.v / pixelMm);
    if (depth >= 0 && depth <= ENDPLATE_BAND_MM) {
      const e = band.get(r);
      if (!e) band.set(r, { lo: q.u, hi: q.u }); else { e.lo = Math.min(e.lo, q.u); e.hi = Math.max(e.hi, q.u); }
    }
    if (depth >= WALL_FROM_MM && depth <= WALL_TO_MM) wall.set(r, Math.max(wall.get(r) ?? -Infinity, q.u));
  }
  if (band.size < MIN_BAND_ROWS || wall.size < MIN_BAND_ROWS) return undefined;
  const pts = [...wall.entries()].map(([r, u]) => [r * pixelMm, u] as const);
  const slopes: number[] = [];
  for (let a = 0; a < pts.length; a++) for (let b = a + 1; b < pts.length; b++) if (Math.abs(pts[b][0] - pts[a][0]) > 2) slopes.push((pts[b][1] - pts[a][1]) / (pts[b][0] - pts[a][0]));
  const slope = slopes.length ? median(slopes) : 0;
  const rows = [...band.values()];
  const posteriorU = median(pts.map(([v, u]) => u - slope * v));
  const farV = side === 'inferior' ? endplateV + WALL_TO_MM : endplateV - WALL_TO_MM;
  return {
    posteriorU,
    /** The fitted wall from its far end to the disc's centre line, (u, v). */
    lineUv: [[posteriorU + slope * farV, farV], [posteriorU, 0]] as [number, number][],
    depthMm: median(rows.map((e) => e.hi)) - median(rows.map((e) => e.lo)) + pixelMm,
  };
}
