/**
 * Joins the sagittal analysis to the axial T2 images: for every measured disc, where its centre and the
 * dural sac behind it lie in patient space (LPS mm), and the sac area measured there (axial-canal.ts).
 */
import { measureAxialDuralSac, type AxialSacResult, type AxialSlice } from './axial-canal';
import type { SpineMeasurements } from './measure-spine';
import { sagittalFrame } from './measure';
import { SAC_SEED_DEPTH_MM } from './canal';
import { voxelToLps, type SpineVolume, type Vec3 } from './volume';

/** The point SAC_SEED_DEPTH_MM along the AP line from its anterior end (the midpoint, for a line shorter than twice that). */
function behindAnteriorEnd([a, p]: [[number, number], [number, number]]): [number, number] {
  const t = Math.min(SAC_SEED_DEPTH_MM / Math.hypot(p[0] - a[0], p[1] - a[1]), 0.5);
  return [a[0] + t * (p[0] - a[0]), a[1] + t * (p[1] - a[1])];
}

/**
 * Dural sac area at each disc of `ms`, keyed by the disc's segment number.
 * The seed is the midpoint of the sagittal AP line (canal.ts), with a second one SAC_SEED_DEPTH_MM behind
 * the line's anterior end (axial-canal.ts keeps the larger region), or where no AP was measured for want of
 * a posterior wall, the point behind the sac's anterior edge (canal.ts sacSeedMm; the input is marked
 * seedFromAnteriorEdge), mapped from the sagittal mm frame of the disc's measured slice (DiscAnalysis.sliceIndex) to LPS.
 */
export function axialSacByDisc(volume: SpineVolume, ms: SpineMeasurements, axial: AxialSlice[]): Map<number, AxialSacResult> {
  const inputs = ms.discs.map((d) => {
    const frame = sagittalFrame(volume, d.sliceIndex);
    const toLps = (ap: number, si: number): Vec3 => voxelToLps(volume, ...frame.toIj(ap, si), d.sliceIndex);
    const line = d.canalApLineMm;
    return {
      segmentNumber: d.segment.segmentNumber,
      level: d.segment.level ?? `disc ${d.segment.segmentNumber}`,
      discCentreLps: d.segment.centroidLps,
      canalApMm: d.canalApMm,
      canalCentreLps: line ? toLps((line[0][0] + line[1][0]) / 2, (line[0][1] + line[1][1]) / 2)
        : d.canalSacSeedMm ? toLps(...d.canalSacSeedMm) : null,
      seedFromAnteriorEdge: !line && !!d.canalSacSeedMm,
      anteriorSeedLps: line ? toLps(...behindAnteriorEnd(line)) : null,
    };
  });
  return new Map(measureAxialDuralSac(axial, inputs).map((r) => [r.segmentNumber, r]));
}
