/**
 * The disc patch the disc classifier reads: the mid-sagittal T2 around one disc, resampled
 * (bilinear) on a 1 mm grid aligned with the disc's principal axes, so every disc is seen level, with
 * its endplates, the adjacent vertebral bodies and the CSF behind it. Framework-free.
 *
 * Layout: Float32Array, shape [DISC_CROP.channels][DISC_CROP.heightPx][DISC_CROP.widthPx], row-major.
 * Row r is v = (heightPx/2 − 0.5 − r)·mmPerPx along the disc's minor axis (superior first);
 * column c is u = uStartMm + (c + 0.5)·mmPerPx along the major axis (anterior → posterior).
 * u, v are mm in the sagittal mm frame of measure.ts, centred on the disc centroid.
 * Intensities (MR intensities have no absolute scale):
 * - channel 0: (x − p1) / (p99 − p1) over the patch's own samples (the patch holds marrow, disc and CSF);
 * - channel 1: x / the image's CSF level (measure-spine.ts, the dural sac's CSF), clipped to [0, CSF_CHANNEL_MAX]:
 *   the signal on the scale Pfirrmann grades by (the nucleus against CSF; Pfirrmann C.W.A. et al., Spine 2001;26:1873–8),
 *   which channel 0's stretch loses where the patch holds no bright CSF or a degenerate disc shifts p1..p99. Added in
 *   classifier v1.6.0 (`npm run eval:grading`, 5-fold CV by patient: kappa 0.548 → 0.580 uncalibrated, 0.616 → 0.621
 *   calibrated; models/PFIRRMANN_MODEL_CARD.md). Without a CSF level (no sac found) it is a copy of channel 0.
 */
import { fromShapeAxes, type SagittalFrame, type PlaneShape } from './measure';
import type { SpineVolume } from './volume';

export const DISC_CROP = { channels: 2, widthPx: 64, heightPx: 40, mmPerPx: 1, uStartMm: -26 } as const;
/** Channel 1's ceiling, in CSF levels: bright fat or a flow artefact beyond it carries no grade information. */
export const CSF_CHANNEL_MAX = 3;

/** Small geometric change of the sampling grid (training augmentation; identity at inference). */
export interface CropJitter { shiftUMm: number; shiftVMm: number; angleRad: number; scale: number }
export const NO_JITTER: CropJitter = { shiftUMm: 0, shiftVMm: 0, angleRad: 0, scale: 1 };

function bilinear(volume: SpineVolume, k: number, fi: number, fj: number): number {
  const [nx, ny] = volume.dims;
  const i0 = Math.floor(fi), j0 = Math.floor(fj), di = fi - i0, dj = fj - j0;
  const at = (i: number, j: number) => volume.voxels[k * nx * ny + Math.min(nx - 1, Math.max(0, i)) + Math.min(ny - 1, Math.max(0, j)) * nx];
  return (1 - di) * (1 - dj) * at(i0, j0) + di * (1 - dj) * at(i0 + 1, j0) + (1 - di) * dj * at(i0, j0 + 1) + di * dj * at(i0 + 1, j0 + 1);
}

function percentile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/**
 * Sample the patch of one disc on slice frame.k. Samples outside the image repeat the edge.
 * @param shape the disc's principal axes from measureDisc (centre, major → posterior, minor → superior).
 * @param csfLevel the image's CSF intensity (raw units), null when none was found.
 */
export function discCrop(volume: SpineVolume, frame: SagittalFrame, shape: PlaneShape, csfLevel: number | null, jitter: CropJitter = NO_JITTER): Float32Array {
  const { widthPx: w, heightPx: h, mmPerPx, uStartMm } = DISC_CROP;
  const c = Math.cos(jitter.angleRad), s = Math.sin(jitter.angleRad);
  const turned: PlaneShape = {
    centre: shape.centre,
    major: [c * shape.major[0] - s * shape.major[1], s * shape.major[0] + c * shape.major[1]],
    minor: [c * shape.minor[0] - s * shape.minor[1], s * shape.minor[0] + c * shape.minor[1]],
  };
  const raw = new Float32Array(w * h);
  for (let r = 0; r < h; r++) {
    const v = (h / 2 - 0.5 - r) * mmPerPx * jitter.scale + jitter.shiftVMm;
    for (let col = 0; col < w; col++) {
      const u = (uStartMm + (col + 0.5) * mmPerPx) * jitter.scale + jitter.shiftUMm;
      const [fi, fj] = frame.toIj(...fromShapeAxes(turned, u, v));
      raw[r * w + col] = bilinear(volume, frame.k, fi, fj);
    }
  }
  const sorted = Float32Array.from(raw).sort();
  const lo = percentile(sorted, 0.01), hi = percentile(sorted, 0.99);
  const scale = hi > lo ? 1 / (hi - lo) : 1;
  const out = new Float32Array(DISC_CROP.channels * w * h);
  const n = w * h;
  for (let p = 0; p < n; p++) {
    out[p] = (raw[p] - lo) * scale;
    out[n + p] = csfLevel && csfLevel > 0 ? Math.min(CSF_CHANNEL_MAX, Math.max(0, raw[p] / csfLevel)) : out[p];
  }
  return out;
}
