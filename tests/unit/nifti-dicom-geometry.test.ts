/**
 * The importer's NIfTI → DICOM MR conversion keeps geometry and pixels: world coordinates (LPS) of
 * the corner voxels computed from the written DICOM attributes (ImagePositionPatient,
 * ImageOrientationPatient, PixelSpacing) equal the NIfTI affine (RAS → LPS) within 0.01 mm.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import dcmjs from 'dcmjs';
import { readNiftiFile } from '../../scripts/lib/nifti';
import { niftiToSeries, spiderImageIsThreeD, spiderPngToSeries } from '../../scripts/lib/sources';

const data = resolve(__dirname, '../../../shared/data');
const d = existsSync(data) ? describe : describe.skip;
if (!existsSync(data)) console.warn(`nifti-dicom-geometry skipped: ${data} is absent (real research data is not in the repository)`);

type Nat = Record<string, any>;
const read = (b: ArrayBuffer): Nat => dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(b).dict);

d.each(['vb2_02', 'ivd_11'])('NIfTI %s → DICOM MR series', (caseId) => {
  // Loaded in beforeAll: describe.skip still runs the describe body, and the data may be absent.
  const file = join(data, 'segmentation', `${caseId}_image.nii.gz`);
  let nii: ReturnType<typeof readNiftiFile>;
  let series: ReturnType<typeof niftiToSeries>;
  let datasets: Nat[];
  let n0: number, n1: number, n2: number;
  beforeAll(() => {
    nii = readNiftiFile(file);
    series = niftiToSeries(file);
    datasets = series.instances.map(read);
    [n0, n1, n2] = nii.shape;
  });

  it('has one sagittal instance per NIfTI axis-2 index, rows = axis 0, columns = axis 1', () => {
    expect(datasets).toHaveLength(n2);
    for (const ds of datasets) {
      expect(ds.Rows).toBe(n0);
      expect(ds.Columns).toBe(n1);
      expect(ds.Modality).toBe('MR');
      expect(ds.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.4');
      expect(ds.BitsAllocated).toBe(16);
      expect(ds.FrameOfReferenceUID).toBe(datasets[0].FrameOfReferenceUID); // one frame of reference per series
    }
    // Sagittal: the normal (row × column direction) is along ±x (patient left-right).
    const iop = datasets[0].ImageOrientationPatient.map(Number);
    const normalX = iop[1] * iop[5] - iop[2] * iop[4];
    expect(Math.abs(normalX)).toBeGreaterThan(0.99);
    expect(new Set(datasets.map((x) => x.SOPInstanceUID)).size).toBe(n2);
  });

  it('puts every corner voxel where the NIfTI affine does (LPS, within 0.01 mm)', () => {
    let checked = 0;
    for (const ds of datasets) {
      const k = Number(ds.InstanceNumber) - 1;
      if (k !== 0 && k !== n2 - 1) continue;
      const ipp = ds.ImagePositionPatient.map(Number);
      const iop = ds.ImageOrientationPatient.map(Number);
      const [rowSpacing, colSpacing] = ds.PixelSpacing.map(Number);
      for (const a0 of [0, n0 - 1]) {
        for (const a1 of [0, n1 - 1]) {
          const r = a0; // DICOM row index
          const c = a1; // DICOM column index
          const m = nii.affineLps;
          for (let x = 0; x < 3; x++) {
            const dicom = ipp[x] + iop[x] * c * colSpacing + iop[3 + x] * r * rowSpacing;
            const nifti = m[x][0] * a0 + m[x][1] * a1 + m[x][2] * k + m[x][3];
            expect(Math.abs(dicom - nifti)).toBeLessThan(0.01);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(8);
  });

  it('stores the NIfTI intensities unchanged as 16-bit pixels', () => {
    const ds = datasets[Math.floor(n2 / 2)];
    const k = Number(ds.InstanceNumber) - 1;
    const px = new Uint16Array(ds.PixelData[0]);
    expect(px.length).toBe(n0 * n1);
    let nonZero = 0;
    for (let a0 = 0; a0 < n0; a0 += 7) {
      for (let a1 = 0; a1 < n1; a1 += 5) {
        const v = nii.values[a0 + a1 * n0 + k * n0 * n1];
        expect(px[a0 * n1 + a1]).toBe(v);
        if (v > 0) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(100);
  });

  it('is deterministic: converting again gives the same UIDs', () => {
    const again = read(niftiToSeries(file).instances[3]);
    expect(again.SOPInstanceUID).toBe(datasets.find((x) => x.InstanceNumber === 4)?.SOPInstanceUID);
    expect(again.StudyInstanceUID).toBe(series.studyInstanceUid);
    expect(series.studyInstanceUid).toMatch(/^2\.25\.\d{1,39}$/);
  });
});

d('SPIDER PNG → single-slice sagittal MR', () => {
  const png = join(data, 'spider_midsagittal', '1_t2.png');
  let ds: Nat;
  beforeAll(() => {
    ds = read(spiderPngToSeries(png).instances[0]);
  });
  it('takes PixelSpacing and SliceThickness from series.csv and keeps the 8-bit pixels', () => {
    expect(ds.Rows).toBe(578);
    expect(ds.Columns).toBe(448);
    expect(ds.PixelSpacing.map(Number)).toEqual([0.625, 0.625]);
    expect(Number(ds.SliceThickness)).toBe(3);
    const px = new Uint16Array(ds.PixelData[0]);
    expect(Math.max(...px.subarray(0, 60000))).toBeLessThanOrEqual(255);
    expect(px.some((v) => v > 0)).toBe(true);
    expect(ds.ImageOrientationPatient.map(Number)).toEqual([0, 1, 0, 0, 0, -1]);
    expect(ds.MRAcquisitionType).toBe('2D');
  });
  it("writes a 't2' image that is a 3D SPACE slice (SPIDER 7: \"T2_space_sag_c4\", 0.9 mm) as 3D, as its scanner did", () => {
    const space = read(spiderPngToSeries(join(data, 'spider_midsagittal', '7_t2.png')).instances[0]);
    expect(space.MRAcquisitionType).toBe('3D');
    expect(space.SeriesDescription).toMatch(/^SAG T2 — SPIDER 7 \(T2_space_sag_c4\)/);
    expect(spiderImageIsThreeD('t2_tse_sag_384', 4)).toBe(false);
    expect(spiderImageIsThreeD('', 0.9)).toBe(true); // thin slices without a description
  });
});

const dciodvfy = '/usr/bin/dciodvfy';
const v = existsSync(data) && existsSync(dciodvfy) ? describe : describe.skip;
if (!existsSync(dciodvfy)) console.warn('dciodvfy check skipped: Debian package dicom3tools is not installed');
v('dciodvfy (dicom3tools) accepts the written MR instances', () => {
  it.each([
    ['NIfTI vb3_05', () => niftiToSeries(join(data, 'segmentation', 'vb3_05_image.nii.gz')).instances[10]],
    ['NIfTI vb1_02 (weighting not given: empty Type 2 timing)', () => niftiToSeries(join(data, 'segmentation', 'vb1_02_image.nii.gz')).instances[5]],
    ['SPIDER 1_t1', () => spiderPngToSeries(join(data, 'spider_midsagittal', '1_t1.png')).instances[0]],
  ])('%s has no errors', (_name, make) => {
    const dir = mkdtempSync(join(tmpdir(), 'h1-dciodvfy-'));
    try {
      const f = join(dir, 'x.dcm');
      writeFileSync(f, Buffer.from(make()));
      // dciodvfy reports on stderr and exits non-zero on errors; keep both streams.
      const out = execFileSync('sh', ['-c', `"${dciodvfy}" "${f}" 2>&1 || true`], { encoding: 'utf8' });
      expect(out).toContain('MRImage');
      expect(out).not.toMatch(/^Error/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
