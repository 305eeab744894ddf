/**
 * Dural sac (CSF column) on the mid-sagittal T2 slice, found classically (the network segments
 * only vertebral bodies and discs): along profiles that start at the posterior border of each disc /
 * vertebral body and run posteriorly (the disc's major axis; for a vertebral body the mean axis of
 * its neighbouring discs), the dural sac is the run of CSF-bright samples (gaps ≤ CSF_GAP_MM bridged) around the
 * brightest sample within 15 mm of the border, bounded at half the height between that peak and the
 * darkest sample in front of it (posterior longitudinal ligament / annulus). A run only counts as CSF
 * when its peak is at least CSF_MIN_MARROW_RATIO × the median vertebral-marrow intensity (on T2,
 * CSF is brighter than marrow). Known limits: posterior epidural fat that is as bright as CSF and
 * touches the sac lengthens the run; on T1 (dark CSF) nothing is found.
 */
import type { Labelmap } from './volume';
import type { SagittalFrame } from './measure';
import { mean, median } from './measure';

/** Project heuristic (not from a paper): CSF peak must exceed 1.2 × marrow median on T2. */
export const CSF_MIN_MARROW_RATIO = 1.2;
/** Search window for the CSF peak behind the posterior wall, mm. */
export const CSF_SEARCH_MM = 15;
const PROFILE_MM = 30;
/** Darker gaps inside the CSF run up to this length (mm) are bridged: nerve roots of the cauda equina. */
export const CSF_GAP_MM = 2;

export interface CanalStructure {
  segmentNumber: number;
  /** Centre in the sagittal mm frame (ap posterior +, si superior +). */
  centreMm: [number, number];
  /** Unit direction pointing posterior, sagittal mm frame. */
  posteriorDir: [number, number];
  /** Half-extent along the S–I direction perpendicular to posteriorDir, mm (profiles are painted across it). */
  halfHeightMm: number;
}

export interface CanalProfileResult {
  /** AP length of the CSF run on the centre profile, mm; null when no CSF run was found. */
  apMm: number | null;
  /** Mean intensity of the CSF run samples on the centre profile. */
  csfMean: number | null;
  reason?: string;
}

interface Run { startMm: number; endMm: number; values: number[]; points: [number, number][] }

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

function csfRun(frame: SagittalFrame, from: [number, number], dir: [number, number], marrow: number): Run | null {
  const step = frame.pixelMm / 2;
  const ts: number[] = [], vals: number[] = [];
  for (let t = 0; t <= PROFILE_MM; t += step) {
    const v = frame.sample(from[0] + dir[0] * t, from[1] + dir[1] * t);
    if (Number.isNaN(v)) break;
    ts.push(t); vals.push(v);
  }
  let peakIdx = -1;
  for (let n = 0; n < ts.length && ts[n] <= CSF_SEARCH_MM; n++) if (peakIdx < 0 || vals[n] > vals[peakIdx]) peakIdx = n;
  if (peakIdx < 0 || !(vals[peakIdx] >= CSF_MIN_MARROW_RATIO * marrow)) return null;
  let dark = vals[peakIdx];
  for (let n = 0; n <= peakIdx; n++) dark = Math.min(dark, vals[n]);
  const thr = 0.5 * (vals[peakIdx] + dark);
  // Extend across short darker gaps (cauda equina roots inside the sac) of at most CSF_GAP_MM.
  const maxGap = Math.round(CSF_GAP_MM / step);
  let a = peakIdx, b = peakIdx;
  for (let n = peakIdx - 1, gap = 0; n >= 0 && gap <= maxGap; n--) { if (vals[n] >= thr) { a = n; gap = 0; } else gap++; }
  for (let n = peakIdx + 1, gap = 0; n < ts.length && gap <= maxGap; n++) { if (vals[n] >= thr) { b = n; gap = 0; } else gap++; }
  const points: [number, number][] = [];
  for (let n = a; n <= b; n++) points.push([from[0] + dir[0] * ts[n], from[1] + dir[1] * ts[n]]);
  return { startMm: ts[a], endMm: ts[b] + step, values: vals.slice(a, b + 1), points };
}

/**
 * Find the dural sac behind each structure, measure its AP diameter on the structure's centre line,
 * and paint the CSF runs of all profiles into `labelmap` (only where it is 0) with `duralSacSegment`.
 * @param marrow median T2 intensity of the vertebral bodies (reference for "CSF-bright").
 * @returns per structure (same order), the AP diameter (mm) or a reason; and the painted voxel count.
 */
export function findDuralSac(
  frame: SagittalFrame, labelmap: Labelmap, structures: CanalStructure[], marrow: number, duralSacSegment: number,
): { perStructure: CanalProfileResult[]; paintedVoxels: number; csfMean: number | null } {
  const [nx, ny] = labelmap.dims;
  const base = frame.k * nx * ny;
  let painted = 0;
  const allCsf: number[] = [];
  const perStructure = structures.map((s): CanalProfileResult => {
    const dir = s.posteriorDir;
    const across: [number, number] = [-dir[1], dir[0]];
    let centre: CanalProfileResult = { apMm: null, csfMean: null, reason: 'no CSF-bright run posterior to the posterior wall' };
    const step = frame.pixelMm / 2;
    const nSteps = Math.floor(s.halfHeightMm / step);
    for (let n = -nSteps; n <= nSteps; n++) {
      const off = n * step;
      const start: [number, number] = [s.centreMm[0] + across[0] * off, s.centreMm[1] + across[1] * off];
      const border = maskBorder(frame, labelmap, s.segmentNumber, start, dir);
      if (border < 0) continue;
      const from: [number, number] = [start[0] + dir[0] * (border + step), start[1] + dir[1] * (border + step)];
      const run = csfRun(frame, from, dir, marrow);
      if (!run) continue;
      const isCentre = n === 0;
      if (isCentre) centre = { apMm: run.endMm - run.startMm, csfMean: mean(run.values) };
      allCsf.push(...run.values);
      for (const [ap, si] of run.points) {
        const [fi, fj] = frame.toIj(ap, si);
        const i = Math.round(fi), j = Math.round(fj);
        if (i < 0 || j < 0 || i >= nx || j >= ny) continue;
        const p = base + i + j * nx;
        if (labelmap.values[p] === 0) { labelmap.values[p] = duralSacSegment; painted++; }
      }
    }
    return centre;
  });
  return { perStructure, paintedVoxels: painted, csfMean: allCsf.length ? median(allCsf) : null };
}
