/**
 * Dural sac (thecal sac) on the mid-sagittal T2 slice, found classically (the network segments only
 * vertebral bodies and discs), and its AP diameter behind each disc and vertebral body. Positions are in
 * the sagittal mm frame of measure.ts (ap posterior +, si superior +); lengths in mm.
 *
 * Rule (project heuristic, not from a paper; tuned by eye on SPIDER overlays, `npm run eval:canal`):
 * - Profiles start at the posterior border of the structure's mask, one per half pixel across it, and run
 *   posteriorly for PROFILE_MM, sampled every half pixel.
 * - CSF level: median over all structures of the brightest sample within CSF_SEARCH_MM on the centre
 *   profile, counting only peaks ≥ CSF_MIN_MARROW_RATIO × the median vertebral-marrow intensity (on T2,
 *   CSF is brighter than marrow). One level per image, so a compressed sac whose CSF is only partly in the
 *   slice (dim) is not re-normalised to look open.
 * - Sac on a profile: the first run of samples ≥ SAC_EDGE_FRACTION × CSF level that starts within
 *   CSF_SEARCH_MM and holds a sample ≥ SAC_CORE_FRACTION × CSF level. Darker stretches inside it are kept
 *   (the grey layer of cauda equina roots, which lie dorsally in the supine sac; flow voids) until the
 *   posterior wall: SAC_WALL_GAP_MM below the edge level (ligamentum flavum, lamina) or SAC_WALL_DARK_MM
 *   below SAC_WALL_FRACTION × CSF level (the thin dark dura line, also where bright epidural fat lies
 *   behind it). A grey stretch with CSF-bright signal behind it within ROOT_BAND_MM, and no wall-dark line between, is
 *   the conus or a clump of roots inside the sac, which goes on behind it (2D only; a 3D wall crosses grey anyway).
 *   A run that reaches the profile's end has no wall in view and is not measured; it is painted (display only) as deep
 *   as the median of the structure's closed runs, or with none the median AP of its nearest measured neighbours above
 *   and below, so the drawn sac does not break off where bright epidural fat lies behind it (vb2 volumes, SPIDER 193).
 *   (The former half-maximum edge cut the sac at the roots and read it 3–5 mm short.) On a 3D T2 the wall is
 *   further out (THREE_D_WALL): its roots form a darker, thicker layer.
 * - Direction: a first pass along the structure's own axis (a disc's major axis; a body's, the mean of its
 *   neighbouring discs) finds the sac; the AP is then measured across the sac's long axis — the line
 *   through the sac centres behind the neighbouring structures above and below — from the same border
 *   points, as a diameter of a tube is measured, so a disc tilted against the sac (L5/S1) does not lengthen it.
 * - AP diameter: median run length (dura to dura) over the profiles within CENTRE_BAND_MM of the centre;
 *   the drawn line is that profile's run. Their lower and upper quartile (apQuartilesMm) show where the posterior wall
 *   is unclear — some profiles stop at a dark line, others cross it — and the grade then says so (grade/canal.ts
 *   AP_SPREAD_CAUTION_MM).
 * - No AP behind a disc whose outline ends in bright signal (BORDER_BRIGHT_MM): the line would start inside the disc or
 *   off the spine; it is not read as effaced either.
 * - CSF effaced: no sac behind a structure whose neighbours above and below both have one — the
 *   hourglass of a compressed sac (graded in grade/canal.ts).
 * - No posterior wall in view (bright epidural fat behind the sac, common on TSE): no AP, but a seed
 *   SAC_SEED_DEPTH_MM behind the sac's anterior edge for the axial area step (axial-canal.ts).
 * Known limits: bright epidural fat touching the sac with no dark dura line ≥ SAC_WALL_DARK_MM between them is counted
 * as sac (common at L5/S1); roots dark enough to pass for the dura (a wall-dark line ≥ SAC_WALL_DARK_MM) still end the
 * sac early (SPIDER 22 L1/L2), and so can the cord where the CSF behind it is thin (measure-spine.ts takes such a line
 * on across the cord that cord.ts draws: cord.ts apLineThroughCord); a grey ligamentum flavum with bright fat within
 * ROOT_BAND_MM behind it would be crossed; the slice is the discs' midline (measure.ts midSagittalSlice), where the
 * dorsal epidural fat at the interlaminar level can join the sac when no dark dura line separates them (vb2_02 L1–L4
 * read 20–21 mm AP; the painted sac bulges behind for 9 mm or more along the spine there, so clipping each run at 2 mm
 * over the median run within 3 or 10 mm along the canal leaves those bulges in place: it is kept for painting only,
 * where it removes the thin spikes of lone profiles, SPIKE_NEIGHBOURS_MM); on a low-contrast image whose tissue behind
 * the sac stays above the edge level (vb2_04, 8 bit: 0.55–0.8 × the CSF level, nothing under 0.4) no wall is found, so
 * most levels get no AP and the sac is painted only as deep as its few measured levels (a higher edge there could cut
 * the sac at its grey dorsal roots); a mis-segmented or misnamed disc (e.g. a sacral segment) gives a meaningless line.
 * On T1 CSF is dark and epidural fat is the bright tissue behind the disc, which this rule would take for the sac:
 * measureSpine does not call it on a T1 or a series of unknown weighting.
 */
import type { Labelmap } from './volume';
import type { SagittalFrame } from './measure';
import { median } from './measure';
import { components4, fillHoles } from './mask2d';

/** Project heuristic (not from a paper): CSF peak must exceed 1.2 × marrow median on T2. */
export const CSF_MIN_MARROW_RATIO = 1.2;
/** The sac must start, and its CSF peak is searched, within this distance of the posterior wall, mm. */
export const CSF_SEARCH_MM = 15;
/** Project heuristic: sac edge at this fraction of the image's CSF level (roots stay above it, ligament below). */
export const SAC_EDGE_FRACTION = 0.4;
/** Project heuristic: a run counts as sac only when it holds a sample ≥ this fraction of the CSF level. */
export const SAC_CORE_FRACTION = 0.75;
/** Project heuristic: a stretch this long (mm) below the edge level is the posterior wall (ligamentum flavum, lamina); shorter ones are roots. */
export const SAC_WALL_GAP_MM = 2.5;
/** Project heuristic: samples below this fraction of the CSF level are wall-dark (dura, ligamentum flavum, cortex). */
export const SAC_WALL_FRACTION = 0.25;
/** Project heuristic: a wall-dark stretch at least this long (mm) is the posterior wall even when thin. */
export const SAC_WALL_DARK_MM = 1;
/**
 * Project heuristic (not from a paper): with no posterior wall in view, the axial seed lies this far (mm)
 * behind the sac's anterior edge: inside the anterior CSF, which is several mm deep in a normal sac.
 */
export const SAC_SEED_DEPTH_MM = 3;
/**
 * Project heuristic: a run that begins at a disc's posterior border, where the last BORDER_BRIGHT_MM inside the
 * border are at least BORDER_BRIGHT_FRACTION × the CSF level, is not taken for the sac: a disc's posterior border is its
 * dark annulus, so bright signal across the border means the outline stops short of it (inside a bright nucleus,
 * SPIDER 237 L5/S1, read 2.2 mm) or lies off the spine (presacral fat taken for L5/S1: SPIDER 108, 242, read 31 and 16
 * mm). Where half or more of the centre profiles' runs begin so, the disc gets no AP (the reason says why). Pass 1 (the
 * sac's axis) keeps such runs: dropping them there too moved the axis, and through it other levels' APs. On SPIDER's `t2`
 * images (`npm run eval:canal -- … --list FILE` before and after, the overlays looked at) 16 lumbar APs were withdrawn:
 * 15 such lines and 1 a plausible sac behind a bright fragment (80 L4/L5, 10.6 mm).
 */
export const BORDER_BRIGHT_MM = 1;
export const BORDER_BRIGHT_FRACTION = 0.55;
/** Profiles within this distance (mm) of the structure's centre give the AP diameter (their median). */
export const CENTRE_BAND_MM = 1.5;
const PROFILE_MM = 35;
/**
 * Painting only (the dural sac segment shown and stored in the SEG; no measurement reads it but cord.ts, whose cord found
 * in it can carry an AP line on across it: apLineThroughCord): a run is painted up to
 * SPIKE_MARGIN_MM beyond the median end of the runs within SPIKE_NEIGHBOURS_MM of it along the structure. A lone
 * profile that ran on into the interspinous fat or a bright posterior element drew a thin spike behind the sac
 * (SPIDER 3, a sample study); the sac's dorsal wall is smooth over a few mm. Project heuristic, display only: wide
 * bulges (vb2_02, above) are their own neighbours and stay.
 */
export const SPIKE_NEIGHBOURS_MM = 3;
export const SPIKE_MARGIN_MM = 2;
/**
 * Painting only: nor is a run painted deeper than this many times the structure's AP (plus SPIKE_MARGIN_MM). Part of a
 * structure's fan could run on into bright tissue behind the lamina and draw a wedge behind the sac several mm wide, its
 * own neighbours (SPIDER 142). Project heuristic, display only; a structure without an AP is not limited.
 */
export const SPIKE_AP_FACTOR = 1.5;
/** Painting only: unpainted seams up to this many pixels wide across the sac are closed (closeSacSeams). */
const SEAM_PX = 3;
/**
 * Painting only: seams along the spine up to this long (mm) are closed where every pixel in them is CSF-bright
 * (closeSacSeams): the profile fans of a disc and a body can leave 7–11 mm unpainted between them (vb2_02, slices beside
 * the midline); a disc is about 10 mm high.
 */
const BRIGHT_SEAM_MM = 12;
/**
 * Painting only: sac pixels lying on a run along the spine's superior–inferior pixel axis shorter than this (mm) are
 * unpainted (trimSacProtrusions). Where bright posterior epidural fat at the interlaminar window has no dark dura line
 * in front of it, the fans of the disc and the body beside it both run on into the fat, and the spike rules keep the
 * thin tongue they draw behind the sac, as each is its fan's own neighbour (SPIDER 4, L4/L5 and L5: tongues about 4 mm
 * high reaching 10 mm behind the sac). The sac itself is long along the spine. Project heuristic, display only.
 */
export const PROTRUSION_MAX_MM = 5;

export interface CanalStructure {
  segmentNumber: number;
  /** Centre in the sagittal mm frame (ap posterior +, si superior +). */
  centreMm: [number, number];
  /** Unit direction pointing posterior, sagittal mm frame. */
  posteriorDir: [number, number];
  /** Half-extent along the S–I direction perpendicular to posteriorDir, mm (profiles are painted across it). */
  halfHeightMm: number;
  /** A disc, whose posterior border (the annulus) is dark on T2, so that bright signal across it is not its border (BORDER_BRIGHT_MM). A vertebral body's fatty marrow is bright. */
  disc?: boolean;
}

export interface CanalProfileResult {
  /** AP diameter of the dural sac (dura to dura, across the sac), mm; null when no sac was measured. */
  apMm: number | null;
  /** End points of the measured AP line (anterior, posterior), sagittal mm frame; null when none. */
  apLineMm?: [[number, number], [number, number]];
  /** Lower and upper quartile of the centre profiles' runs (the AP is their median), mm. */
  apQuartilesMm?: [number, number];
  /**
   * No CSF-bright run behind this structure although the structures directly above and below have a
   * measured sac: the CSF is effaced here (compressed sac, the hourglass of severe stenosis).
   */
  csfEffaced?: boolean;
  /**
   * Only where apMm is null because the sac run had no posterior wall in view: a point inside the sac,
   * SAC_SEED_DEPTH_MM behind its anterior edge on the centre-most profile (sagittal mm frame), for the
   * axial area step. Not a sac centre, and no AP is derived from it.
   */
  sacSeedMm?: [number, number];
  reason?: string;
}

/**
 * What ends the sac on a profile: a grey stretch this long (mm) below the edge level, or a dark one below darkFraction ×
 * CSF level. A grey stretch with CSF-bright signal (≥ SAC_CORE_FRACTION × CSF level) behind it within rootBandMm, and no
 * dark wall between, lies inside the sac (the conus or a bundle of roots with CSF behind): the sac goes on.
 */
export interface SacWall { greyGapMm: number; darkGapMm: number; darkFraction: number; rootBandMm: number }
/**
 * Project heuristic: a grey band up to this deep (mm) with CSF behind it is inside the sac. The conus medullaris is
 * about 8 mm thick; across it or a clump of roots the 2D rule stopped short: ivd_11 L1/L2 (a healthy volunteer) read 6 mm
 * "severe" in a sac 18 mm deep (`npm run eval:canal`, `eval:seg`).
 */
export const ROOT_BAND_MM = 8;
/** 2D TSE T2 (the file comment's rule). */
export const TSE_WALL: SacWall = { greyGapMm: SAC_WALL_GAP_MM, darkGapMm: SAC_WALL_DARK_MM, darkFraction: SAC_WALL_FRACTION, rootBandMm: ROOT_BAND_MM };
/**
 * 3D T2 (MRAcquisitionType 3D, e.g. SPACE): its thin slice shows the dorsal layer of cauda equina roots darker and
 * thicker than 2D TSE does, so the TSE wall cut the sac at the roots (SPIDER 52, 5). Here up to 8 mm of grey is
 * crossed, and the wall is 1.5 mm below 0.2 × the CSF level. Project heuristic (not from a paper), chosen among ten
 * variants on the 19 SPIDER patients with both a 3D SPACE and a 2D TSE T2 (`npm run eval:canal -- --sequence
 * t2_SPACE`): the lumbar AP on 3D minus that on 2D went from a median −2.8 mm (IQR −9.0 to +0.2, 69 discs) with
 * TSE_WALL to 0.0 mm (IQR −2.3 to +3.6, 67 discs); since the 2D rule crosses root bands (ROOT_BAND_MM) and its AP lines
 * cross the drawn cord (cord.ts apLineThroughCord) the command reads −0.2 mm (IQR −4.1 to +2.9, 66 discs, since BORDER_BRIGHT_MM). On 2D TSE it would
 * leave twice as many discs without an AP (roots merge with bright epidural fat), so it is for 3D only; no reader canal grades exist to check it against.
 */
export const THREE_D_WALL: SacWall = { greyGapMm: 8, darkGapMm: 1.5, darkFraction: 0.2, rootBandMm: 0 };

/** One profile: distances t (mm from its start) and intensities. */
interface Profile { from: [number, number]; dir: [number, number]; ts: number[]; vals: number[] }
/** A sac run on a profile: sample indices a..b (inclusive); closed = a posterior wall was found behind it. */
export interface SacRun { a: number; b: number; closed: boolean }

function maskBorder(frame: SagittalFrame, labelmap: Labelmap, seg: number, start: [number, number], dir: [number, number]): number {
  const [nx, ny] = labelmap.dims;
  const step = frame.pixelMm / 2;
  let last = -1;
  for (let t = 0; t < 80; t += step) {
    const [fi, fj] = frame.toIj(start[0] + dir[0] * t, start[1] + dir[1] * t);
    const i = Math.round(fi), j = Math.round(fj);
    if (i < 0 || j < 0 || i >= nx || j >= ny) break;
    if (labelmap.values[frame.k * nx * ny + i + j * nx] === seg) last = t;
    else if (last >= 0 && t - last > 3) break;
  }
  return last;
}

function sampleProfile(frame: SagittalFrame, from: [number, number], dir: [number, number]): Profile {
  const step = frame.pixelMm / 2;
  const ts: number[] = [], vals: number[] = [];
  for (let t = 0; t <= PROFILE_MM; t += step) {
    const v = frame.sample(from[0] + dir[0] * t, from[1] + dir[1] * t);
    if (Number.isNaN(v)) break;
    ts.push(t); vals.push(v);
  }
  return { from, dir, ts, vals };
}

/** Brightest sample within CSF_SEARCH_MM of the profile start (−Infinity when the profile is empty). */
function peak(p: Profile): number {
  let best = -Infinity;
  for (let n = 0; n < p.ts.length && p.ts[n] <= CSF_SEARCH_MM; n++) best = Math.max(best, p.vals[n]);
  return best;
}

/**
 * The dural sac on one profile (rule in the file comment), or null.
 * @param csfLevel the image's CSF intensity (same units as the profile).
 */
export function sacRun(ts: number[], vals: number[], csfLevel: number, step: number, wall: SacWall = TSE_WALL): SacRun | null {
  const edge = SAC_EDGE_FRACTION * csfLevel, core = SAC_CORE_FRACTION * csfLevel, wallDark = wall.darkFraction * csfLevel;
  const greyGap = Math.max(1, Math.round(wall.greyGapMm / step)), darkGap = Math.max(1, Math.round(wall.darkGapMm / step));
  let n = 0;
  while (n < ts.length && ts[n] <= CSF_SEARCH_MM) {
    if (vals[n] < edge) { n++; continue; }
    const a = n;
    let b = n, hasCore = false, closed = false;
    for (let grey = 0, dark = 0; n < ts.length; n++) {
      if (vals[n] >= edge) { b = n; grey = 0; dark = 0; hasCore ||= vals[n] >= core; continue; }
      grey++; dark = vals[n] < wallDark ? dark + 1 : 0;
      if (dark >= darkGap) { closed = true; break; }
      if (grey < greyGap) continue;
      const resume = hasCore ? csfBehindGrey(ts, vals, b, core, wallDark, darkGap, wall.rootBandMm) : -1;
      if (resume < 0) { closed = true; break; }
      n = resume - 1; grey = 0; dark = 0;
    }
    if (hasCore) return { a, b, closed };
    n = b + 1;
  }
  return null;
}

/** The first CSF-bright sample (≥ core) within rootBandMm behind sample b with no dark wall (darkGap samples < wallDark) before it; −1 when none. */
function csfBehindGrey(ts: number[], vals: number[], b: number, core: number, wallDark: number, darkGap: number, rootBandMm: number): number {
  for (let m = b + 1, dark = 0; m < ts.length && ts[m] - ts[b] <= rootBandMm; m++) {
    if (vals[m] >= core) return m;
    dark = vals[m] < wallDark ? dark + 1 : 0;
    if (dark >= darkGap) return -1;
  }
  return -1;
}

type Pt = [number, number];
const NO_SAC = 'no dural sac (CSF-bright run) behind the posterior border of the disc or vertebral body';
const BORDER_BRIGHT_REASON = 'the disc\'s outline ends in bright signal, not at its dark posterior annulus (the outline may stop inside the disc, or the disc be misplaced), so the dural sac behind it was not measured';

/** Whether the last BORDER_BRIGHT_MM in front of the profile's start (inside the structure's border) are all ≥ `bright`. */
function brightBehindBorder(frame: SagittalFrame, p: Profile, bright: number): boolean {
  const step = frame.pixelMm / 2;
  for (let t = step; t <= BORDER_BRIGHT_MM + 1e-6; t += step) {
    if (!(frame.sample(p.from[0] - p.dir[0] * t, p.from[1] - p.dir[1] * t) >= bright)) return false;
  }
  return true;
}
interface Found { off: number; p: Profile; run: SacRun; borderBright: boolean }

/** Profiles behind one structure along `dir`, one per half pixel across it (where the mask border is crossed). */
function structureProfiles(frame: SagittalFrame, labelmap: Labelmap, s: CanalStructure, dir: Pt): { off: number; p: Profile }[] {
  const step = frame.pixelMm / 2, across: Pt = [-dir[1], dir[0]];
  const out: { off: number; p: Profile }[] = [];
  const nSteps = Math.floor(s.halfHeightMm / step);
  for (let n = -nSteps; n <= nSteps; n++) {
    const off = n * step;
    const start: Pt = [s.centreMm[0] + across[0] * off, s.centreMm[1] + across[1] * off];
    const border = maskBorder(frame, labelmap, s.segmentNumber, start, dir);
    if (border >= 0) out.push({ off, p: sampleProfile(frame, [start[0] + dir[0] * (border + step), start[1] + dir[1] * (border + step)], dir) });
  }
  return out;
}

const along = (p: Profile, t: number): Pt => [p.from[0] + p.dir[0] * t, p.from[1] + p.dir[1] * t];

/**
 * Unit normal of the sac's long axis at structure n, pointing posterior. The sac's centre behind each
 * structure is the median midpoint of its sac runs; the axis joins the centres of the nearest structures
 * above and below n (or n itself when one side has none). Falls back to the structure's own direction.
 */
function canalNormal(structures: CanalStructure[], found: Found[][], n: number): Pt {
  const own = structures[n].posteriorDir;
  const centre = (m: number): Pt | null => {
    if (!found[m].length) return null;
    const mids = found[m].map((f) => along(f.p, 0.5 * (f.p.ts[f.run.a] + f.p.ts[f.run.b])));
    return [median(mids.map((q) => q[0])), median(mids.map((q) => q[1]))];
  };
  const si = (m: number) => structures[m].centreMm[1];
  const others = structures.map((_, m) => m).filter((m) => m !== n && centre(m));
  const up = others.filter((m) => si(m) > si(n)).sort((a, b) => si(a) - si(b))[0];
  const down = others.filter((m) => si(m) < si(n)).sort((a, b) => si(b) - si(a))[0];
  const a = centre(up ?? n), b = centre(down ?? n);
  if (!a || !b || (up === undefined && down === undefined)) return own;
  const len = Math.hypot(a[0] - b[0], a[1] - b[1]);
  if (len < 5) return own;
  const nrm: Pt = [(a[1] - b[1]) / len, -(a[0] - b[0]) / len];
  return nrm[0] * own[0] + nrm[1] * own[1] < 0 ? [-nrm[0], -nrm[1]] : nrm;
}

/** Whether the slice's columns (j) run nearer the spine's superior–inferior axis than its rows (i) do. */
function columnsAlongSpine(frame: SagittalFrame): boolean {
  const siStep = (di: number, dj: number) => Math.abs(frame.toMm(di, dj)[1] - frame.toMm(0, 0)[1]);
  return siStep(0, 1) >= siStep(1, 0);
}

/**
 * Painting only: the profile fans of neighbouring structures meet at angles and can leave a seam of unpainted pixels
 * across the sac (SPIDER 3, vb2_02). Along each row and column of slice frame.k, a run of unlabelled pixels between two
 * sac pixels is painted when it is at most SEAM_PX long or, along the pixel axis nearer the spine's superior–inferior
 * axis, at most BRIGHT_SEAM_MM long with every pixel at least `bright` (CSF-bright like the sac's edge: a stretch where
 * the CSF is effaced is not bridged, nor bright epidural fat behind the sac). So is every pixel the sac then encloses
 * (the sac's dark roots and flow voids are sac already: a hole is a gap between profiles).
 * Returns how many.
 */
function closeSacSeams(labelmap: Labelmap, frame: SagittalFrame, sac: number, bright: number): number {
  const [nx, ny] = labelmap.dims;
  const base = frame.k * nx * ny;
  const v = labelmap.values;
  const isBright = (q: number) => { const p = q - base, i = p % nx; return frame.sample(...frame.toMm(i, (p - i) / nx)) >= bright; };
  const alongColumns = columnsAlongSpine(frame);
  const seams: number[] = [];
  /** One row or column: `length` voxels from `start`, `stride` apart. */
  const closeLine = (start: number, stride: number, length: number, alongSpine: boolean) => {
    const brightMaxPx = alongSpine ? Math.max(SEAM_PX, Math.floor(BRIGHT_SEAM_MM / frame.pixelMm)) : SEAM_PX;
    for (let t = 0, lastSac = -1; t < length; t++) {
      const value = v[start + t * stride];
      if (value !== sac) { if (value !== 0) lastSac = -1; continue; }
      const gap = t - lastSac - 1;
      if (lastSac >= 0 && gap > 0 && gap <= brightMaxPx) {
        const gapVoxels = Array.from({ length: gap }, (_, u) => start + (lastSac + 1 + u) * stride);
        if (gap <= SEAM_PX || gapVoxels.every(isBright)) seams.push(...gapVoxels);
      }
      lastSac = t;
    }
  };
  for (let i = 0; i < nx; i++) closeLine(base + i, nx, ny, alongColumns);
  for (let j = 0; j < ny; j++) closeLine(base + j * nx, 1, nx, !alongColumns);
  let closed = 0;
  for (const q of seams) if (v[q] === 0) { v[q] = sac; closed++; }
  const mask = new Uint8Array(nx * ny);
  for (let p = 0; p < nx * ny; p++) mask[p] = v[base + p] === sac ? 1 : 0;
  fillHoles(mask, nx, ny);
  let holes = 0;
  for (let p = 0; p < nx * ny; p++) if (mask[p] && v[base + p] === 0) { v[base + p] = sac; holes++; }
  return closed + holes;
}

/**
 * Painting only: unpaint the sac pixels of slice frame.k whose run of sac pixels along the spine's superior–inferior
 * pixel axis is shorter than PROTRUSION_MAX_MM (an opening with a line along the spine). Called once the spinal cord is
 * found (measure-spine.ts): at the upper levels a short glimpse of CSF behind the cord is where cord.ts starts looking.
 * Returns how many.
 */
export function trimSacProtrusions(labelmap: Labelmap, frame: SagittalFrame, sac: number): number {
  const [nx, ny] = labelmap.dims;
  const base = frame.k * nx * ny;
  const v = labelmap.values;
  const [lines, length, lineStride, stride] = columnsAlongSpine(frame) ? [nx, ny, 1, nx] : [ny, nx, nx, 1];
  const minPx = Math.ceil(PROTRUSION_MAX_MM / frame.pixelMm);
  let trimmed = 0;
  for (let line = 0; line < lines; line++) {
    const start = base + line * lineStride;
    for (let t = 0; t < length;) {
      if (v[start + t * stride] !== sac) { t++; continue; }
      let end = t;
      while (end < length && v[start + end * stride] === sac) end++;
      if (end - t < minPx) for (let u = t; u < end; u++) { v[start + u * stride] = 0; trimmed++; }
      t = end;
    }
  }
  return trimmed;
}

/**
 * Painting only: unpaint each piece of the sac on slice frame.k that lies wholly behind a larger piece, on at least
 * half of the lines across the spine it spans (pieces joined through `joinWith` labels, the spinal cord, are one). The
 * sac is one tube: the first CSF-bright run behind the disc or body is the sac, and a piece beyond it was painted from
 * another structure's fan that ran on into bright tissue behind the lamina (SPIDER 143, 203, 24). A piece larger than
 * the ones in front of it stays (SPIDER 142 at L4–L5, where the sac in front is broken in two). Returns how many pixels.
 */
export function dropSacBehindSac(labelmap: Labelmap, frame: SagittalFrame, sac: number, joinWith: number[] = []): number {
  const [nx, ny] = labelmap.dims;
  const base = frame.k * nx * ny;
  const v = labelmap.values;
  const alongColumns = columnsAlongSpine(frame);
  // Posterior coordinate (pixels) and line across the spine of pixel p of the slice.
  const dAp = alongColumns ? frame.toMm(1, 0)[0] - frame.toMm(0, 0)[0] : frame.toMm(0, 1)[0] - frame.toMm(0, 0)[0];
  const sign = dAp >= 0 ? 1 : -1;
  const apOf = (p: number) => sign * (alongColumns ? p % nx : Math.floor(p / nx));
  const lineOf = (p: number) => (alongColumns ? Math.floor(p / nx) : p % nx);
  const mask = new Uint8Array(nx * ny);
  for (let p = 0; p < nx * ny; p++) mask[p] = v[base + p] === sac || joinWith.includes(v[base + p]) ? 1 : 0;
  const pieces = components4(mask, nx, ny).map((pixels) => {
    const span = new Map<number, [number, number]>();
    for (const p of pixels) {
      const line = lineOf(p), ap = apOf(p), s = span.get(line);
      span.set(line, s ? [Math.min(s[0], ap), Math.max(s[1], ap)] : [ap, ap]);
    }
    return { pixels, span };
  });
  const size = pieces.map((x) => x.pixels.filter((p) => v[base + p] === sac).length);
  let dropped = 0;
  for (const [n, c] of pieces.entries()) {
    const behind = pieces.some((d, m) => size[m] > size[n]
      && 2 * [...c.span].filter(([line, [lo]]) => { const ds = d.span.get(line); return ds !== undefined && lo > ds[1]; }).length >= c.span.size);
    if (!behind) continue;
    for (const p of c.pixels) if (v[base + p] === sac) { v[base + p] = 0; dropped++; }
  }
  return dropped;
}

/**
 * Find the dural sac behind each structure, measure its AP diameter near the structure's centre line,
 * and paint the sac runs of all profiles into `labelmap` (only where it is 0) with `duralSacSegment`.
 * @param marrow median T2 intensity of the vertebral bodies (reference for "CSF-bright").
 * @param structures discs and vertebral bodies of the slice, any order.
 * @param fixedCsfLevel the CSF level to use instead of this slice's own (a slice beside the mid-sagittal one, painted at
 *   the mid-sagittal slice's level: measure-spine.ts paintSacBesideMidline).
 * @returns per structure (same order), the AP diameter (mm) and its line, or a reason (and csfEffaced);
 *   the painted voxel count; csfMean, the median of all sac samples ≥ SAC_CORE_FRACTION × CSF level
 *   (the CSF reference of the Pfirrmann features), null when no sac was found; and csfLevel, the CSF level used
 *   (null when there was none).
 */
export function findDuralSac(
  frame: SagittalFrame, labelmap: Labelmap, structures: CanalStructure[], marrow: number, duralSacSegment: number, wall: SacWall = TSE_WALL,
  fixedCsfLevel?: number,
): { perStructure: CanalProfileResult[]; paintedVoxels: number; csfMean: number | null; csfLevel: number | null } {
  const [nx, ny] = labelmap.dims;
  const base = frame.k * nx * ny;
  const step = frame.pixelMm / 2;
  const first = structures.map((s) => structureProfiles(frame, labelmap, s, s.posteriorDir));
  const peaks = first.map((ps) => ps.find((x) => x.off === 0)).filter((x) => x !== undefined).map((x) => peak(x.p))
    .filter((v) => v >= CSF_MIN_MARROW_RATIO * marrow);
  const csfLevel = fixedCsfLevel ?? median(peaks);
  if ((fixedCsfLevel === undefined && !peaks.length) || !(csfLevel > 0)) {
    return { perStructure: structures.map(() => ({ apMm: null, reason: 'no CSF-bright sample behind the discs and vertebral bodies (not a T2 image, or no dural sac in the slice)' })), paintedVoxels: 0, csfMean: null, csfLevel: null };
  }
  /** Each profile's sac run; with `s` a disc, none where the run begins across a bright border (borderBright). */
  const runs = (ps: { off: number; p: Profile }[], s?: CanalStructure) => ps.map((x) => {
    const run = sacRun(x.p.ts, x.p.vals, csfLevel, step, wall);
    const borderBright = !!s?.disc && run?.a === 0 && brightBehindBorder(frame, x.p, BORDER_BRIGHT_FRACTION * csfLevel);
    return { ...x, run: borderBright ? null : run, borderBright };
  });
  const closed = (fs: ReturnType<typeof runs>): Found[] => fs.filter((f): f is Found => !!f.run?.closed);
  // Pass 1 along each structure's own axis finds the sac (keeping runs across a bright disc border); pass 2 measures
  // across the sac's long axis.
  const pass1 = first.map((ps) => closed(runs(ps)));
  const second = structures.map((s, n) => {
    const nrm = canalNormal(structures, pass1, n);
    // Same starting points (the structure's posterior border), new direction.
    return nrm === s.posteriorDir ? first[n] : first[n].map(({ off, p }) => ({ off, p: sampleProfile(frame, p.from, nrm) }));
  });
  let painted = 0;
  const allCsf: number[] = [];
  /** Per structure, its runs that reached the profile's end (no wall in view), and the median length of its closed runs (mm). */
  const open: { runs: Found[]; depth: number | null }[] = [];
  const paint = (p: Profile, n: number) => {
    const [fi, fj] = frame.toIj(...along(p, p.ts[n]));
    const i = Math.round(fi), j = Math.round(fj);
    if (i < 0 || j < 0 || i >= nx || j >= ny) return;
    const q = base + i + j * nx;
    if (labelmap.values[q] === 0) { labelmap.values[q] = duralSacSegment; painted++; }
  };
  const perStructure = second.map((ps, structure): CanalProfileResult => {
    const fs = runs(ps, structures[structure]);
    const found = closed(fs);
    open[structure] = { runs: fs.filter((f): f is Found => !!f.run && !f.run.closed), depth: found.length ? median(found.map((f) => f.p.ts[f.run.b] + step - f.p.ts[f.run.a])) : null };
    const centre = found.filter((f) => Math.abs(f.off) <= CENTRE_BAND_MM)
      .map((f) => ({ ap: f.p.ts[f.run.b] + step - f.p.ts[f.run.a], line: [along(f.p, f.p.ts[f.run.a]), along(f.p, f.p.ts[f.run.b] + step)] as [Pt, Pt] }));
    const depthLimit = centre.length ? SPIKE_AP_FACTOR * median(centre.map((c) => c.ap)) + SPIKE_MARGIN_MM : Infinity;
    for (const { p, run, off } of found) {
      const paintTo = Math.min(median(found.filter((g) => Math.abs(g.off - off) <= SPIKE_NEIGHBOURS_MM).map((g) => g.p.ts[g.run.b])) + SPIKE_MARGIN_MM, p.ts[run.a] + depthLimit);
      for (let n = run.a; n <= run.b; n++) {
        if (p.vals[n] >= SAC_CORE_FRACTION * csfLevel) allCsf.push(p.vals[n]);
        if (p.ts[n] <= paintTo) paint(p, n);
      }
    }
    // Half or more of the centre profiles' runs began across a bright border: the outline, not the sac, is in doubt here.
    const centreRuns = fs.filter((f) => Math.abs(f.off) <= CENTRE_BAND_MM && (f.run || f.borderBright));
    if (2 * centreRuns.filter((f) => f.borderBright).length >= Math.max(1, centreRuns.length)) return { apMm: null, reason: BORDER_BRIGHT_REASON };
    if (!centre.length) {
      // A run that reaches the profile's end has no posterior wall in view: not a measurable sac.
      const open = fs.filter((f) => Math.abs(f.off) <= CENTRE_BAND_MM && f.run && !f.run.closed).sort((x, y) => Math.abs(x.off) - Math.abs(y.off))[0];
      if (!open) return { apMm: null, reason: NO_SAC };
      return {
        apMm: null, reason: `no posterior wall of the dural sac within ${PROFILE_MM} mm behind the ${structures[structure].disc ? 'disc' : 'vertebral body'} (bright epidural fat behind the sac, common on TSE, can hide it)`,
        sacSeedMm: along(open.p, open.p.ts[open.run!.a] + SAC_SEED_DEPTH_MM),
      };
    }
    const sorted = [...centre].sort((x, y) => x.ap - y.ap);
    const mid = sorted[(centre.length - 1) >> 1];
    const quartile = (q: number) => sorted[Math.round(q * (sorted.length - 1))].ap;
    return { apMm: mid.ap, apLineMm: mid.line, apQuartilesMm: [quartile(0.25), quartile(0.75)] };
  });
  // CSF effaced: no sac at a structure whose S–I neighbours both show one.
  const bySi = structures.map((_, n) => n).sort((a, b) => structures[b].centreMm[1] - structures[a].centreMm[1]);
  bySi.forEach((n, r) => {
    const up = perStructure[bySi[r - 1]], down = perStructure[bySi[r + 1]], here = perStructure[n];
    if (here.apMm === null && here.reason === NO_SAC && up?.apMm != null && down?.apMm != null) {
      perStructure[n] = { ...here, csfEffaced: true, reason: 'no CSF signal behind it while the dural sac above and below holds CSF: CSF effaced (compressed sac)' };
    }
  });
  // Painting only: a run that ran on to the profile's end (bright epidural fat behind the sac, no dark dura line) is drawn
  // as deep as the structure's closed runs, or, with none, the median AP of its nearest neighbours above and below.
  bySi.forEach((n, r) => {
    const depths = [bySi.slice(0, r).reverse(), bySi.slice(r + 1)].map((side) => side.map((m) => perStructure[m].apMm).find((ap) => ap != null))
      .filter((ap): ap is number => ap != null);
    const depth = open[n].depth ?? (depths.length ? median(depths) : null);
    if (depth !== null) for (const { p, run } of open[n].runs) for (let k = run.a; k <= run.b && p.ts[k] < p.ts[run.a] + depth; k++) paint(p, k);
  });
  painted += closeSacSeams(labelmap, frame, duralSacSegment, SAC_EDGE_FRACTION * csfLevel);
  return { perStructure, paintedVoxels: painted, csfMean: allCsf.length ? median(allCsf) : null, csfLevel };
}
