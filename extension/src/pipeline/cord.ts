/**
 * Spinal cord, down to the conus medullaris, on one sagittal T2 slice, found in the dural sac that canal.ts painted there
 * (the network segments only vertebral bodies and discs), or just behind it where that outline stopped in front of the
 * cord. Positions are in the sagittal mm frame of measure.ts (ap posterior +, si superior +); lengths in mm.
 *
 * Rule (project heuristic, not from a paper; chosen by eye on SPIDER overlays, `npm run eval:canal -- --overlays DIR`):
 * - Lines across the spine at constant S–I, every half pixel from the sac's top down; on each, the samples inside the sac
 *   and on behind its back, up to CORD_BEYOND_SAC_MM, to the first dark dura line (SAC_WALL_DARK_MM under
 *   CORD_DURA_FRACTION × the CSF level) or another structure. canal.ts crosses a grey stretch only with CSF-bright signal
 *   (0.75 × the CSF level) within 8 mm behind it, so where the CSF behind the cord is thin, at the thoracolumbar levels,
 *   its sac can stop in front of the cord (SPIDER 98, 173).
 * - Candidate bands on a line: stretches darker than CORD_BAND_FRACTION × the line's brightest sample (at most the CSF
 *   level: bright epidural fat taken into the sac can outshine the CSF), CORD_MIN_MM to CORD_MAX_MM long, whose
 *   brightest samples within CORD_CSF_REACH_MM in front and behind are both CSF (≥ CORD_CSF_FRACTION × the image's CSF
 *   level) and whose mean is at most CORD_CONTRAST × the dimmer of the two. A stretch longer than CORD_MAX_MM is split
 *   again at halfway between its darkest sample and that brightest one: CSF dimmer than the cut beside a dark cord joins
 *   it otherwise (SPIDER 98: CSF in front at 0.7 × the CSF level, the cord at 0.2–0.4). On T2 the cord is grey between
 *   the CSF in front of it and behind it; the roots of the cauda equina lie as a thinner grey layer against the back of
 *   the supine sac, with little CSF behind.
 * - The cord enters the sac from above: it is followed from each band within CORD_START_MM of the sac's top (the first
 *   line with room for CSF, cord and CSF that begins a stretch of such lines CORD_MIN_LENGTH_MM long, so a lone fan of
 *   profiles above a gap is skipped), line by line through the band that overlaps the last one most, across gaps of up
 *   to CORD_MAX_GAP_MM (flow voids, partial volume), to the first longer gap, where the conus has narrowed under
 *   CORD_MIN_MM; the longest such cord is kept. A band lower down with none above it (an image that starts below the
 *   conus: roots) is not the cord, nor a cord shorter than CORD_MIN_LENGTH_MM (a stub where the sac's top is partly
 *   outlined). Its edges are smoothed along the spine before painting; the CSF behind it (CSF-bright samples in a row,
 *   from within CORD_CSF_REACH_MM), and anything between the sac's back and the cord, join the sac.
 * Display and SEG, with one use in measuring: a canal AP line that stopped at the front of the drawn cord is taken on
 * across it (apLineThroughCord); nothing else reads the cord or the sac it adds to, and the conus level is the reader's
 * call on the image. Where it is drawn on SPIDER `t2` (52 of 172 images), its lowest point lies at T12 to L3, where the
 * conus ends in adults, on 52 (`npm run eval:canal` prints the levels; middle third of T12 to upper third of L3, mean
 * lower third of L1: Saifuddin A. et al., Spine 1998;23(13):1452–6); SPIDER 162's ends at T10 (a stub above a gap in the
 * outlined sac).
 * Known limits: not drawn on most images (a slice whose CSF in front of or behind the cord is thin or dim, a sac with a
 * gap along it at the thoracic levels, an image that starts below the conus); a cord is drawn only down to such a gap,
 * or to where it is brighter than CORD_CONTRAST × the CSF beside it (vb2_09: not drawn, its cord at about 0.75 × the
 * CSF); a cord touching the front or back of the sac ends early; a clump of roots with CSF around it just below the
 * conus carries the cord on.
 */
import type { Labelmap } from './volume';
import { median, type SagittalFrame } from './measure';
import { SAC_WALL_DARK_MM } from './canal';

/** Project heuristic: a candidate band is darker than this fraction of its line's brightest sample (or of the CSF level, if lower). */
export const CORD_BAND_FRACTION = 0.8;
/** Project heuristic: the CSF in front of and behind the cord reaches this fraction of the image's CSF level. */
export const CORD_CSF_FRACTION = 0.6;
/** Project heuristic: the band's mean is at most this fraction of the dimmer CSF beside it (T2 cord is grey against CSF). */
export const CORD_CONTRAST = 0.75;
/** Project heuristic: the cord is at least this thick (mm) front to back; a thinner grey band is roots or the filum. */
export const CORD_MIN_MM = 5;
/** Project heuristic: a thicker grey band (mm) is not the cord (the thoracolumbar cord and conus measure about 6–9 mm front to back). */
export const CORD_MAX_MM = 10;
/** CSF must lie within this distance (mm) in front of and behind the band. */
export const CORD_CSF_REACH_MM = 4;
/** Gaps along the cord up to this long (mm) are crossed. */
export const CORD_MAX_GAP_MM = 3;
/** The cord must begin within this distance (mm) of the sac's top. */
export const CORD_START_MM = 15;
/** A shorter cord (mm along the spine) is not painted. */
export const CORD_MIN_LENGTH_MM = 30;
/** Project heuristic: each line goes on behind the sac's back by up to this far (mm), for a cord the sac's outline stopped in front of and the CSF behind it. */
export const CORD_BEYOND_SAC_MM = 15;
/**
 * Project heuristic: the dura behind the sac is darker than this fraction of the CSF level. Darker than canal.ts's wall
 * (SAC_WALL_FRACTION, 0.25): the cord itself reads 0.2–0.4 × the CSF level on some images (SPIDER 98).
 */
export const CORD_DURA_FRACTION = 0.15;
/** Painting only: the cord's front and back edges are smoothed over the lines within this distance along the spine, mm. */
const CORD_SMOOTH_MM = 2;

type Band = [number, number];

/** The candidate bands across one line (its samples, anterior first; ap in mm): ap from / to, mm. */
function cordBandsOnLine(aps: number[], vals: number[], csfLevel: number, step: number): Band[] {
  const bands: Band[] = [];
  if (!vals.length) return bands;
  // Bright epidural fat taken into the sac can outshine the CSF: the cut is set by the CSF level at most.
  const bright = Math.min(csfLevel, Math.max(...vals)), csf = CORD_CSF_FRACTION * csfLevel;
  const reach = Math.round(CORD_CSF_REACH_MM / step);
  /** The bands among samples from..to (exclusive) darker than `cut`. */
  const scan = (from: number, to: number, cut: number) => {
    for (let n = from; n < to;) {
      if (vals[n] >= cut) { n++; continue; }
      const a = n;
      // One stretch: consecutive samples along the line (a jump means pixels outside the sac lay between).
      do n++; while (n < to && vals[n] < cut && aps[n] - aps[n - 1] <= 1.5 * step);
      const b = n - 1;
      const length = aps[b] - aps[a] + step;
      if (length > CORD_MAX_MM) {
        // A dim CSF layer beside a dark cord joins it below the cut: split the stretch halfway between its darkest sample and the CSF.
        const halfway = 0.5 * (bright + Math.min(...vals.slice(a, b + 1)));
        if (halfway < cut - 0.05 * bright) scan(a, b + 1, halfway);
        continue;
      }
      if (length < CORD_MIN_MM) continue;
      const front = Math.max(-Infinity, ...vals.slice(Math.max(0, a - reach), a));
      const back = Math.max(-Infinity, ...vals.slice(b + 1, b + 1 + reach));
      const mean = vals.slice(a, b + 1).reduce((x, v) => x + v, 0) / (b - a + 1);
      if (front >= csf && back >= csf && mean <= CORD_CONTRAST * Math.min(front, back)) bands.push([aps[a], aps[b] + step]);
    }
  };
  scan(0, vals.length, CORD_BAND_FRACTION * bright);
  return bands;
}

const overlap = (a: Band, b: Band) => Math.min(a[1], b[1]) - Math.max(a[0], b[0]);

/** The labelmap index of the voxel nearest (ap, si) on slice frame.k, or −1 outside the slice. */
function voxelIndex(frame: SagittalFrame, labelmap: Labelmap, ap: number, si: number): number {
  const [nx, ny] = labelmap.dims;
  const [fi, fj] = frame.toIj(ap, si);
  const i = Math.round(fi), j = Math.round(fj);
  return i < 0 || j < 0 || i >= nx || j >= ny ? -1 : frame.k * nx * ny + i + j * nx;
}

/**
 * Find the spinal cord in or just behind the dural sac on slice frame.k (rule in the file comment) and paint it into
 * `labelmap` with `cordSegment`, over the sac's voxels and background; the CSF behind it that the sac left out is painted
 * with `sacSegment` (no other voxel is changed).
 * @param sacSegment the dural sac's label, painted on this slice by canal.ts findDuralSac.
 * @param csfLevel the CSF level the sac was found at (canal.ts), in the image's units.
 * @returns the number of cord voxels painted (0 when no cord was found).
 */
export function paintSpinalCord(frame: SagittalFrame, labelmap: Labelmap, sacSegment: number, csfLevel: number, cordSegment: number): number {
  const [nx, ny] = labelmap.dims;
  const base = frame.k * nx * ny;
  const step = frame.pixelMm / 2;
  let apMin = Infinity, apMax = -Infinity, siMin = Infinity, siMax = -Infinity;
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (labelmap.values[base + i + j * nx] !== sacSegment) continue;
    const [ap, si] = frame.toMm(i, j);
    apMin = Math.min(apMin, ap); apMax = Math.max(apMax, ap); siMin = Math.min(siMin, si); siMax = Math.max(siMax, si);
  }
  if (!(siMax - siMin >= CORD_MIN_LENGTH_MM)) return 0;
  const voxelAt = (ap: number, si: number) => voxelIndex(frame, labelmap, ap, si);
  const duraDark = CORD_DURA_FRACTION * csfLevel, darkRun = Math.max(1, Math.round(SAC_WALL_DARK_MM / step));
  // Each line across the sac, top down: its S–I position, the sac's span on it (mm), its samples and candidate bands.
  const across: { si: number; spanMm: number; bands: Band[]; aps: number[]; vals: number[] }[] = [];
  for (let si = siMax; si >= siMin; si -= step) {
    const aps: number[] = [], vals: number[] = [];
    for (let ap = apMin; ap <= apMax; ap += step) {
      const q = voxelAt(ap, si);
      if (q >= 0 && labelmap.values[q] === sacSegment) { aps.push(ap); vals.push(frame.sample(ap, si)); }
    }
    // On behind the sac's back, to the first dark dura line (or another structure): the sac's outline can stop in front
    // of the cord, where the CSF behind the cord is thin (canal.ts crosses grey only with CSF-bright signal behind it).
    if (aps.length) {
      const back = aps[aps.length - 1];
      for (let ap = back + step, dark = 0; ap <= back + CORD_BEYOND_SAC_MM; ap += step) {
        const q = voxelAt(ap, si), v = frame.sample(ap, si);
        if (q < 0 || labelmap.values[q] !== 0 || Number.isNaN(v)) break;
        dark = v < duraDark ? dark + 1 : 0;
        if (dark >= darkRun) { aps.splice(aps.length - dark + 1); vals.splice(vals.length - dark + 1); break; }
        aps.push(ap); vals.push(v);
      }
    }
    across.push({ si, spanMm: aps.length * step, aps, vals, bands: cordBandsOnLine(aps, vals, csfLevel, step) });
  }
  // The sac's top: the first line with room for CSF, cord and CSF (not a tapering tip) that begins a stretch of such
  // lines CORD_MIN_LENGTH_MM long (not a lone fan of profiles above a gap).
  const wide = across.filter((l) => l.spanMm >= 2 * CORD_MIN_MM);
  const top = wide.find((l, n) => {
    for (let m = n + 1; m < wide.length && wide[m - 1].si - wide[m].si <= CORD_MAX_GAP_MM; m++) if (l.si - wide[m].si >= CORD_MIN_LENGTH_MM) return true;
    return false;
  });
  if (!top) return 0;
  const below = across.filter((l) => l.si <= top.si);
  /** The cord followed down from one band: line by line through the band that overlaps the last one most. */
  const follow = (from: number, band: Band) => {
    const chain = [{ si: below[from].si, band }];
    for (const { si, bands } of below.slice(from + 1)) {
      const last = chain[chain.length - 1];
      if (last.si - si > CORD_MAX_GAP_MM) break;
      const next = bands.filter((b) => overlap(b, last.band) > 0).sort((a, b) => overlap(b, last.band) - overlap(a, last.band))[0];
      if (next) chain.push({ si, band: next });
    }
    return chain;
  };
  // The longest cord that begins within CORD_START_MM of the top (a wrong first band, such as fat, leads nowhere).
  let lines: { si: number; band: Band }[] = [];
  below.forEach((l, n) => {
    if (top.si - l.si > CORD_START_MM) return;
    for (const band of l.bands) {
      const chain = follow(n, band);
      if (chain[0].si - chain[chain.length - 1].si > (lines.length ? lines[0].si - lines[lines.length - 1].si : -1)) lines = chain;
    }
  });
  if (!lines.length || lines[0].si - lines[lines.length - 1].si < CORD_MIN_LENGTH_MM) return 0;
  // Each edge as the median over the lines within CORD_SMOOTH_MM along the spine: pixel steps in single lines are noise.
  const smooth = (edge: 0 | 1, si: number) => median(lines.filter((l) => Math.abs(l.si - si) <= CORD_SMOOTH_MM).map((l) => l.band[edge]));
  lines = lines.map(({ si }) => ({ si, band: [smooth(0, si), smooth(1, si)] as Band }));
  let painted = 0;
  const csf = CORD_CSF_FRACTION * csfLevel;
  // Each line's band down to the next line (a gap is filled with the band above it), at quarter-pixel steps; the CSF
  // behind the band (CSF-bright samples, as the band's test) and any stretch between the sac's back and the band join the sac.
  lines.forEach(({ si, band }, n) => {
    const nextSi = lines[n + 1]?.si ?? si - step;
    const line = across.find((l) => l.si === si)!;
    // The CSF behind the band: from its first CSF-bright sample within CORD_CSF_REACH_MM to the last one in a row.
    let m = line.aps.findIndex((ap, q) => ap >= band[1] && ap < band[1] + CORD_CSF_REACH_MM && line.vals[q] >= csf), csfEnd = band[1];
    for (; m >= 0 && m < line.vals.length && line.vals[m] >= csf; m++) csfEnd = line.aps[m] + step;
    for (let s = si; s > nextSi; s -= step / 2) {
      for (let ap = band[0]; ap < band[1]; ap += step / 2) {
        const q = voxelAt(ap, s);
        if (q >= 0 && (labelmap.values[q] === sacSegment || labelmap.values[q] === 0)) { labelmap.values[q] = cordSegment; painted++; }
      }
      for (let ap = line.aps[0]; ap < csfEnd; ap += step / 2) {
        const q = voxelAt(ap, s);
        if (q >= 0 && labelmap.values[q] === 0) labelmap.values[q] = sacSegment;
      }
    }
  });
  return painted;
}

/** Project heuristic: a canal AP line that ends this close (mm) in front of the drawn cord stopped at the cord, not at the dura. */
export const AP_CORD_REACH_MM = 2;

/**
 * A dural sac AP line (canal.ts) taken on through the drawn cord. canal.ts ends the sac at a grey stretch with no
 * CSF-bright signal within ROOT_BAND_MM behind it, which at the thoracolumbar levels can be the cord itself, with thin
 * CSF behind it (SPIDER 78: L1/L2 read 7.0 mm, T12/L1 5.3 mm, in front of a cord drawn with CSF behind it). Where the
 * line's posterior end lies within AP_CORD_REACH_MM in front of cord voxels on slice frame.k (painted by
 * paintSpinalCord), the line goes on along its direction across the cord and the sac voxels behind it, crossing gaps of
 * up to one pixel, to their back: the sac's AP includes the cord, dura to dura.
 * @param line anterior and posterior end, sagittal mm frame.
 * @returns the longer line (same frame), or null when no cord lies just behind the line's end.
 */
export function apLineThroughCord(frame: SagittalFrame, labelmap: Labelmap, sacSegment: number, cordSegment: number, line: [[number, number], [number, number]]): [[number, number], [number, number]] | null {
  const [a, p] = line;
  const length = Math.hypot(p[0] - a[0], p[1] - a[1]);
  if (!(length > 0)) return null;
  const u = [(p[0] - a[0]) / length, (p[1] - a[1]) / length], step = frame.pixelMm / 4;
  const labelAt = (t: number) => {
    const q = voxelIndex(frame, labelmap, p[0] + u[0] * t, p[1] + u[1] * t);
    return q < 0 ? -1 : labelmap.values[q];
  };
  let cordBehind = false;
  for (let t = step; t <= AP_CORD_REACH_MM && !cordBehind; t += step) cordBehind = labelAt(t) === cordSegment;
  if (!cordBehind) return null;
  let back = 0;
  for (let t = step; t - back <= frame.pixelMm + step; t += step) if ([sacSegment, cordSegment].includes(labelAt(t))) back = t;
  return [a, [p[0] + u[0] * back, p[1] + u[1] * back]];
}
