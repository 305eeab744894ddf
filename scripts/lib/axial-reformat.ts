/**
 * Axial images made from a (near-)isotropic sagittal research volume, as a clinical axial T2 stack would
 * look: true axial planes, thick slices, in the same patient space (LPS, mm) and frame of reference.
 * Used to demonstrate and check the axial dural sac area (axial-canal.ts) where only sagittal volumes
 * exist (segmentation/ data); a reformat is not an acquisition, and callers label it so.
 */
import type { SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';

export interface AxialReformatOptions {
  /** Distance between slice centres, mm (default 4). */
  sliceSpacingMm?: number;
  /** Slab thickness averaged into each image, mm (default 4). */
  thicknessMm?: number;
  /** In-plane pixel size, mm (default 1). */
  pixelMm?: number;
}

/**
 * Axial reformat of `sag`: rowDirection [1,0,0] (towards patient left), columnDirection [0,1,0]
 * (posterior), sliceDirection [0,0,1] = row × column (superior; slice 0 is the most inferior, as the
 * DICOM slice normal points), covering the LPS bounding box of `sag`. Each voxel is the mean of
 * trilinear samples of `sag` through the slab (thicknessMm, one sample per `sag` slice spacing or finer)
 * along the slice normal; samples outside `sag` count as 0.
 * Returns a volume with the study and frame of reference UIDs of `sag`; seriesInstanceUid is '' and
 * sopInstanceUids empty (the caller sets them), role 'axial_t2'.
 * @throws Error when an option is not a positive number or `sag`'s directions are degenerate.
 */
export function axialReformat(sag: SpineVolume, opts: AxialReformatOptions = {}): SpineVolume {
  const spacing = opts.sliceSpacingMm ?? 4, thick = opts.thicknessMm ?? 4, pix = opts.pixelMm ?? 1;
  for (const [k, x] of Object.entries({ sliceSpacingMm: spacing, thicknessMm: thick, pixelMm: pix })) {
    if (!(x > 0 && Number.isFinite(x))) throw new Error(`axialReformat: ${k} must be a positive number, got ${x}`);
  }
  const [nx, ny, nz] = sag.dims;
  const [sx, sy, sz] = sag.spacingMm;
  // Columns of the voxel → LPS matrix, and its inverse (LPS offset → fractional voxel index).
  const m: Vec3[] = [sag.rowDirection.map((d) => d * sx) as Vec3, sag.columnDirection.map((d) => d * sy) as Vec3, sag.sliceDirection.map((d) => d * sz) as Vec3];
  const inv = inverse3(m);
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const ci of [0, nx - 1]) for (const cj of [0, ny - 1]) for (const ck of [0, nz - 1]) {
    for (let a = 0; a < 3; a++) {
      const p = sag.originLps[a] + m[0][a] * ci + m[1][a] * cj + m[2][a] * ck;
      lo[a] = Math.min(lo[a], p); hi[a] = Math.max(hi[a], p);
    }
  }
  const ox = Math.floor((hi[0] - lo[0]) / pix) + 1, oy = Math.floor((hi[1] - lo[1]) / pix) + 1;
  const oz = Math.floor((hi[2] - lo[2]) / spacing) + 1;
  // Slabs centred on the covered range, so the margin is the same at both ends.
  const z0 = lo[2] + ((hi[2] - lo[2]) - (oz - 1) * spacing) / 2;
  const x0 = lo[0] + ((hi[0] - lo[0]) - (ox - 1) * pix) / 2, y0 = lo[1] + ((hi[1] - lo[1]) - (oy - 1) * pix) / 2;
  const nSub = Math.max(1, Math.ceil(thick / Math.min(sx, sy, sz)));
  const offsets = Array.from({ length: nSub }, (_, s) => ((s + 0.5) / nSub - 0.5) * thick);
  const out = new Float32Array(ox * oy * oz);
  const v = sag.voxels, plane = nx * ny;
  const sample = (fi: number, fj: number, fk: number): number => {
    if (fi < 0 || fj < 0 || fk < 0 || fi > nx - 1 || fj > ny - 1 || fk > nz - 1) return 0;
    const i = Math.floor(fi), j = Math.floor(fj), k = Math.floor(fk);
    const di = fi - i, dj = fj - j, dk = fk - k;
    // Neighbour offsets; 0 on the last index (the weight there is 0 anyway).
    const i1 = i < nx - 1 ? 1 : 0, j1 = j < ny - 1 ? nx : 0, k1 = k < nz - 1 ? plane : 0;
    const p = i + j * nx + k * plane;
    const c00 = v[p] * (1 - di) + v[p + i1] * di, c10 = v[p + j1] * (1 - di) + v[p + j1 + i1] * di;
    const c01 = v[p + k1] * (1 - di) + v[p + k1 + i1] * di, c11 = v[p + k1 + j1] * (1 - di) + v[p + k1 + j1 + i1] * di;
    return ((c00 * (1 - dj) + c10 * dj) * (1 - dk) + (c01 * (1 - dj) + c11 * dj) * dk);
  };
  for (let k = 0; k < oz; k++) for (let j = 0; j < oy; j++) for (let i = 0; i < ox; i++) {
    let sum = 0;
    for (const dz of offsets) {
      const d: Vec3 = [x0 + i * pix - sag.originLps[0], y0 + j * pix - sag.originLps[1], z0 + k * spacing + dz - sag.originLps[2]];
      sum += sample(dot(inv[0], d), dot(inv[1], d), dot(inv[2], d));
    }
    out[i + j * ox + k * ox * oy] = sum / nSub;
  }
  return {
    voxels: out,
    dims: [ox, oy, oz],
    spacingMm: [pix, pix, spacing],
    originLps: [x0, y0, z0],
    rowDirection: [1, 0, 0],
    columnDirection: [0, 1, 0],
    sliceDirection: [0, 0, 1],
    studyInstanceUid: sag.studyInstanceUid,
    seriesInstanceUid: '',
    frameOfReferenceUid: sag.frameOfReferenceUid,
    sopInstanceUids: [],
    seriesDescription: `AX T2 reformat ${fmt(thick)} mm slabs`,
    role: 'axial_t2',
  };
}

function fmt(x: number): string { return x.toFixed(1).replace(/\.0$/, ''); }
function dot(a: Vec3, b: Vec3): number { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/** Rows of the inverse of the matrix whose columns are c[0], c[1], c[2]. @throws Error when singular. */
function inverse3(c: Vec3[]): Vec3[] {
  const [a, b, d] = c;
  // Inverse of [a b d] (columns): rows are (b×d, d×a, a×b) / det.
  const cr = (u: Vec3, w: Vec3): Vec3 => [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
  const r0 = cr(b, d), r1 = cr(d, a), r2 = cr(a, b);
  const det = dot(a, r0);
  if (!(Math.abs(det) > 1e-9)) throw new Error('axialReformat: the volume directions are degenerate');
  return [r0, r1, r2].map((r) => r.map((x) => x / det) as Vec3);
}
