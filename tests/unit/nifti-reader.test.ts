import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readNiftiFile, readNiftiLabelmap, readNiftiVolume } from '../../scripts/lib/nifti';
import { voxelIndex, voxelToLps } from '../../extension/src/pipeline/volume';

const data = resolve(__dirname, '../../../shared/data/segmentation');
const d = existsSync(data) ? describe : describe.skip;
if (!existsSync(data)) console.warn(`nifti-reader tests skipped: ${data} is absent (real research data is not in the repository)`);

d('readNiftiVolume on real data (vb3_05: T1 lumbar, 224×189×71, 1 mm)', () => {
  // Loaded in beforeAll: describe.skip still runs the describe body, and the data may be absent.
  const file = resolve(data, 'vb3_05_image.nii.gz');
  let vol: ReturnType<typeof readNiftiVolume>;
  let raw: ReturnType<typeof readNiftiFile>;
  beforeAll(() => {
    vol = readNiftiVolume(file);
    raw = readNiftiFile(file);
  });

  it('maps NIfTI axes to rows = axis 0 (S→I), columns = axis 1 (A→P), slices = axis 2', () => {
    expect(raw.shape).toEqual([224, 189, 71]);
    expect(vol.dims).toEqual([189, 224, 71]);
    expect(vol.spacingMm.map((s) => +s.toFixed(6))).toEqual([1, 1, 1]);
    // LPS: +z is superior, so rows going inferior have columnDirection z < 0; columns going posterior have +y.
    expect(vol.columnDirection[2]).toBeLessThan(-0.99);
    expect(vol.rowDirection[1]).toBeGreaterThan(0.99);
    expect(Math.abs(vol.sliceDirection[0])).toBeGreaterThan(0.99);
  });

  it('keeps every voxel value and puts it where the affine says', () => {
    const [n0, n1] = raw.shape;
    for (const [a0, a1, a2] of [[0, 0, 0], [10, 150, 3], [223, 188, 70], [120, 90, 35]]) {
      const v = raw.values[a0 + a1 * n0 + a2 * n0 * n1];
      expect(vol.voxels[voxelIndex(vol.dims, a1, a0, a2)]).toBe(v);
      const p = voxelToLps(vol, a1, a0, a2);
      for (let r = 0; r < 3; r++) {
        const m = raw.affineLps[r];
        expect(p[r]).toBeCloseTo(m[0] * a0 + m[1] * a1 + m[2] * a2 + m[3], 6);
      }
    }
    expect(Math.max(...raw.values.subarray(0, 100000))).toBeGreaterThan(0);
  });

  it('reads the label volume in the same voxel order with values 0..5', () => {
    const lab = readNiftiLabelmap(resolve(data, 'vb3_05_label.nii.gz'));
    expect(lab.dims).toEqual(vol.dims);
    expect(new Set(lab.values)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });
});

describe('readNiftiVolume errors', () => {
  it('names the file when it is not NIfTI', () => {
    expect(() => readNiftiVolume(__filename)).toThrow(/not a NIfTI/);
    expect(() => readNiftiVolume('/nonexistent.nii.gz')).toThrow(/Cannot read NIfTI file \/nonexistent/);
  });
});
