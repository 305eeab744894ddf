/**
 * Test helper: a minimal single-file NIfTI-1 (`.nii`, float32 voxels, sform affine in RAS mm) — only what the tests need
 * to feed scripts/lib/nifti.ts files it did not write itself (nifti-reader-js reads, it does not write).
 */
import { writeFileSync } from 'node:fs';

/**
 * @param shape array dimensions [n0, n1, n2]; `values` in NIfTI order (axis 0 fastest)
 * @param affineRas 3×4 rows of the voxel → RAS mm matrix (sform srow_x, srow_y, srow_z)
 */
export function writeNifti(path: string, shape: [number, number, number], values: ArrayLike<number>, affineRas: number[][]): void {
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0); // sizeof_hdr
  [3, ...shape, 1, 1, 1, 1].forEach((d, i) => header.writeInt16LE(d, 40 + 2 * i)); // dim
  header.writeInt16LE(16, 70); // datatype FLOAT32
  header.writeInt16LE(32, 72); // bitpix
  [1, ...affineRas.map((_, c) => Math.hypot(affineRas[0][c], affineRas[1][c], affineRas[2][c])), 1, 1, 1, 1].forEach((p, i) => header.writeFloatLE(p, 76 + 4 * i)); // pixdim
  header.writeFloatLE(352, 108); // vox_offset
  header.writeInt16LE(2, 254); // sform_code: aligned
  affineRas.forEach((row, r) => row.forEach((x, c) => header.writeFloatLE(x, 280 + 16 * r + 4 * c)));
  header.write('n+1\0', 344, 'latin1');
  const data = Buffer.alloc(4 * values.length);
  for (let i = 0; i < values.length; i++) data.writeFloatLE(values[i], 4 * i);
  writeFileSync(path, Buffer.concat([header, data]));
}
