import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeNifti } from '../helpers/nifti-writer';
import { labelVolumeReason, niftiToSpineVolume, readNiftiFile, readNiftiLabelmap, readNiftiVolume, type Mat4, type NiftiImage } from '../../scripts/lib/nifti';
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

  it('tells the 8-bit image from its label volume (labelVolumeReason)', () => {
    expect(labelVolumeReason(raw)).toBeUndefined();
    expect(labelVolumeReason(readNiftiFile(resolve(data, 'vb3_05_label.nii.gz')))).toMatch(/^5 distinct integer values besides 0, 9\d % of voxels 0$/);
  });
});

describe('readNiftiVolume errors', () => {
  it('names the file when it is not NIfTI', () => {
    expect(() => readNiftiVolume(__filename)).toThrow(/not a NIfTI/);
    expect(() => readNiftiVolume('/nonexistent.nii.gz')).toThrow(/Cannot read NIfTI file \/nonexistent/);
  });
});

describe('niftiToSpineVolume: files stored in another axis order', () => {
  // The module convention: axis 0 superior→inferior, axis 1 anterior→posterior, axis 2 right→left (LPS columns).
  const shape: [number, number, number] = [5, 4, 3];
  const conventional: NiftiImage = {
    header: {} as NiftiImage['header'],
    shape,
    values: Float32Array.from({ length: 60 }, (_, i) => (i * 37) % 61),
    affineLps: [[0, 0, 2, -10], [0, 0.8, 0, 20], [-0.8, 0, 0, 30], [0, 0, 0, 1]],
  };
  /** The same voxels stored with axes (a, b, c) = old axes order[0..2] (as nibabel's RAS-canonical files do with (LR, AP, SI)). */
  const stored = (order: number[], affineLps: Mat4 = conventional.affineLps): NiftiImage => {
    const newShape = order.map((a) => shape[a]) as [number, number, number];
    const values = new Float32Array(60);
    const stride = [1, shape[0], shape[0] * shape[1]];
    let p = 0;
    for (let c = 0; c < newShape[2]; c++) for (let b = 0; b < newShape[1]; b++) for (let a = 0; a < newShape[0]; a++)
      values[p++] = conventional.values[a * stride[order[0]] + b * stride[order[1]] + c * stride[order[2]]];
    return { ...conventional, shape: newShape, values, affineLps: affineLps.map((r) => [r[order[0]], r[order[1]], r[order[2]], r[3]]) };
  };

  /** Values of `img` with its axes 1 and 2 reversed (index b → n1-1-b, c → n2-1-c). */
  const reverseAxes12Of = (img: NiftiImage) => {
    const [m0, m1, m2] = img.shape;
    const out = new Float32Array(img.values.length);
    for (let c = 0; c < m2; c++) for (let b = 0; b < m1; b++) for (let a = 0; a < m0; a++) out[a + b * m0 + c * m0 * m1] = img.values[a + (m1 - 1 - b) * m0 + (m2 - 1 - c) * m0 * m1];
    return out;
  };

  it('reads a (left-right, anterior-posterior, superior-inferior) file as the same sagittal volume', () => {
    const want = niftiToSpineVolume(conventional);
    for (const order of [[2, 1, 0], [1, 2, 0], [2, 0, 1]]) {
      const got = niftiToSpineVolume(stored(order));
      expect(got.dims).toEqual(want.dims);
      expect(Array.from(got.voxels)).toEqual(Array.from(want.voxels));
      expect(got.spacingMm).toEqual(want.spacingMm);
      expect(got.originLps).toEqual(want.originLps);
      expect([got.rowDirection, got.columnDirection, got.sliceDirection]).toEqual([want.rowDirection, want.columnDirection, want.sliceDirection]);
    }
  });

  it('reads a file whose axes run inferior→superior or posterior→anterior as the same volume, head up and anterior left', () => {
    const want = niftiToSpineVolume(conventional);
    const [n0, n1] = shape;
    // Axes 0 and 1 reversed: value at (a, b, c) is the conventional one at (n0-1-a, n1-1-b, c); affine moved to match.
    const values = new Float32Array(60);
    for (let c = 0; c < 3; c++) for (let b = 0; b < n1; b++) for (let a = 0; a < n0; a++) values[a + b * n0 + c * n0 * n1] = conventional.values[n0 - 1 - a + (n1 - 1 - b) * n0 + c * n0 * n1];
    const m = conventional.affineLps;
    const affineLps = m.map((r, i) => (i === 3 ? r : [-r[0], -r[1], r[2], r[3] + r[0] * (n0 - 1) + r[1] * (n1 - 1)]));
    const got = niftiToSpineVolume({ ...conventional, values, affineLps });
    expect(Array.from(got.voxels)).toEqual(Array.from(want.voxels));
    expect(got.originLps.map((x) => +x.toFixed(9))).toEqual(want.originLps);
    expect([got.rowDirection, got.columnDirection]).toEqual([want.rowDirection, want.columnDirection]);
    // RAS-canonical (left-right, anterior-posterior, superior-inferior; A and S increasing): both reordered and flipped.
    const ras = stored([2, 1, 0]);
    const rasFlipped = niftiToSpineVolume({ ...ras, values: reverseAxes12Of(ras), affineLps: ras.affineLps.map((r, i) => (i === 3 ? r : [r[0], -r[1], -r[2], r[3] + r[1] * (ras.shape[1] - 1) + r[2] * (ras.shape[2] - 1)])) });
    expect(Array.from(rasFlipped.voxels)).toEqual(Array.from(want.voxels));
  });

  it('leaves a file whose sagittal planes would be coarse (an axial stack of 4 mm slices) as stored', () => {
    const axial: Mat4 = [[0, 0, 0.6, -10], [0, 0.6, 0, 20], [-4, 0, 0, 30], [0, 0, 0, 1]];
    const got = niftiToSpineVolume(stored([2, 1, 0], axial));
    expect(got.dims).toEqual([4, 3, 5]);
    expect(Math.abs(got.sliceDirection[2])).toBe(1);
  });
});

describe('NIfTI files written elsewhere', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'nifti-reader-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a RAS-canonical file (axes left→right, posterior→anterior, inferior→superior) as a sagittal volume, head up and anterior left', () => {
    // 3 sagittal slices of 4 × 5 voxels: value = 100·(left-right index) + 10·(anterior-posterior index) + superior-inferior index.
    const [nx, ny, nz] = [3, 4, 5];
    const values = Array.from({ length: nx * ny * nz }, (_, p) => 100 * (p % nx) + 10 * (Math.floor(p / nx) % ny) + Math.floor(p / (nx * ny)));
    const file = join(dir, 'ras.nii');
    writeNifti(file, [nx, ny, nz], values, [[3, 0, 0, -3], [0, 0.5, 0, -10], [0, 0, 0.5, 40]]);
    const v = readNiftiVolume(file);
    expect(v.dims).toEqual([ny, nz, nx]); // columns = anterior→posterior, rows = superior→inferior, slices = left-right
    expect(v.rowDirection).toEqual([0, 1, 0]); // LPS +y: posterior
    expect(v.columnDirection).toEqual([0, 0, -1]); // LPS −z: inferior
    expect(Math.abs(v.sliceDirection[0])).toBe(1);
    // Top-left voxel of a slice: the most superior and most anterior one, at its RAS position.
    const topLeft = v.voxels[voxelIndex(v.dims, 0, 0, 0)];
    expect(topLeft % 100).toBe(10 * (ny - 1) + (nz - 1));
    const p = voxelToLps(v, 0, 0, 0);
    expect([p[1], p[2]]).toEqual([-(-10 + 0.5 * (ny - 1)), 40 + 0.5 * (nz - 1)]);
  });

  it('reads labels stored as floats when they lie within 0.001 of an integer, and names a file whose values do not', () => {
    const labels = join(dir, 'labels.nii');
    writeNifti(labels, [2, 2, 1], [0, 2.9999998, 1.0000001, 4], [[0, 0, -1, 0], [0, -1, 0, 0], [-1, 0, 0, 0]]);
    expect(Array.from(readNiftiLabelmap(labels).values).sort()).toEqual([0, 1, 3, 4]);
    const bad = join(dir, 'bad.nii');
    writeNifti(bad, [2, 2, 1], [0, 2.5, 1, 4], [[0, 0, -1, 0], [0, -1, 0, 0], [-1, 0, 0, 0]]);
    expect(() => readNiftiLabelmap(bad)).toThrow(/bad\.nii: label value 2\.5 .* is not an integer 0\.\.255/);
  });
});
