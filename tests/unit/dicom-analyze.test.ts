/** @jest-environment ./tests/helpers/ort-node-environment.cjs */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readAnalysisInput, readDicomFolder, readNiftiInput } from '../../scripts/analyze-input';
import { analyze } from '../../scripts/analyze';
import { niftiCaseUids } from '../../scripts/lib/sources';
import type { NaturalDataset } from 'dcmjs';
import { fromPart10, toPart10 } from '../../extension/src/dicom/uids';
import { readSr } from '../../extension/src/dicom/sr-read';
import { ENHANCED_MR_SOP_CLASS_UID, writeEnhancedMrStandIn } from '../helpers/enhanced-mr-stand-in';
import { PATIENT, dciodvfy, hasDciodvfy, makeSourceInstances, makeVolume } from './dicom-fixtures';

/** Writes DICOM instances into `dir` as `<prefix>-<n>.dcm`, each changed by `edit` where given. */
function writeInstances(dir: string, prefix: string, instances: ArrayBuffer[], edit?: (ds: NaturalDataset) => NaturalDataset): void {
  instances.forEach((b, n) => writeFileSync(join(dir, `${prefix}-${n}.dcm`), Buffer.from(edit ? toPart10(edit(fromPart10(b))) : b)));
}

/** The instance as one of another series of the same study: SeriesInstanceUID and SOPInstanceUID suffixed. */
const asSeries = (ds: NaturalDataset, suffix: string): NaturalDataset =>
  ({ ...ds, SeriesInstanceUID: `${ds.SeriesInstanceUID}.${suffix}`, SOPInstanceUID: `${ds.SOPInstanceUID}.${suffix}` });

describe('analyze CLI input: DICOM folder', () => {
  it('rebuilds the source volume (geometry, voxels, UIDs) and patient attributes from Part 10 files', () => {
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-in-'));
    try {
      // Written in reverse order: the reader must sort slices along the normal itself.
      makeSourceInstances(v).reverse().forEach((b, i) => writeFileSync(join(dir, `im${i}.dcm`), Buffer.from(b)));
      writeFileSync(join(dir, 'notes.txt'), 'not DICOM');
      const { volume, patientStudy } = readDicomFolder(dir);
      expect(volume.dims).toEqual(v.dims);
      volume.spacingMm.forEach((s, a) => expect(s).toBeCloseTo(v.spacingMm[a], 5));
      volume.originLps.forEach((x, a) => expect(x).toBeCloseTo(v.originLps[a], 4));
      expect(volume.sopInstanceUids).toEqual(v.sopInstanceUids);
      expect(volume.seriesInstanceUid).toBe(v.seriesInstanceUid);
      expect(volume.frameOfReferenceUid).toBe(v.frameOfReferenceUid);
      let maxErr = 0;
      for (let n = 0; n < v.voxels.length; n++) maxErr = Math.max(maxErr, Math.abs(volume.voxels[n] - Math.round(v.voxels[n])));
      expect(maxErr).toBe(0);
      expect(patientStudy.PatientID).toBe(PATIENT.PatientID);
      expect(patientStudy.PatientName).toBe(PATIENT.PatientName);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('analyses the series the user names (--series), as the weighting stated (--weighting) where its headers give none', () => {
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-choice-'));
    try {
      // The fixture's T2 (TE 100 ms, TR 3000 ms), and a copy without timing under another series: weighting unknown.
      writeInstances(dir, 't2', makeSourceInstances(v));
      const unknownUid = `${v.seriesInstanceUid}.9`;
      writeInstances(dir, 'x', makeSourceInstances(v), ({ EchoTime: _te, RepetitionTime: _tr, ...ds }) => ({ ...asSeries(ds, '9'), SeriesDescription: 'SAG MR' }));
      expect(readDicomFolder(dir).volume).toMatchObject({ seriesInstanceUid: v.seriesInstanceUid, role: 'sagittal_t2' });
      const unknown = readDicomFolder(dir, { seriesInstanceUid: unknownUid });
      expect(unknown.volume).toMatchObject({ seriesInstanceUid: unknownUid, role: 'other' });
      expect(unknown.volume.weightingStatedByReader).toBeUndefined();
      expect(unknown.warnings?.join(' ')).toMatch(/weighting "unknown".*not assessable/);
      const stated = readDicomFolder(dir, { seriesInstanceUid: unknownUid, statedWeighting: 't2' });
      expect(stated.volume).toMatchObject({ seriesInstanceUid: unknownUid, role: 'sagittal_t2', weightingStatedByReader: true });
      // A stated weighting does not override headers that give one.
      expect(readDicomFolder(dir, { seriesInstanceUid: v.seriesInstanceUid, statedWeighting: 't1' }).volume).toMatchObject({ role: 'sagittal_t2' });
      expect(() => readDicomFolder(dir, { seriesInstanceUid: '2.25.404' })).toThrow(/--series 2\.25\.404 is not a sagittal MR series of .* \(series there: .*sagittal unknown/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('marks a fat-suppressed sagittal T2 (ScanOptions FS) and a T1 after contrast (ContrastBolusAgent) on their volumes, for the foramina', () => {
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-fs-'));
    try {
      writeInstances(dir, 'fs', makeSourceInstances(v), (ds) => ({ ...ds, ScanOptions: ['PFP', 'FS'] }));
      expect(readDicomFolder(dir).volume).toMatchObject({ role: 'sagittal_t2', fatSuppression: 'ScanOptions FS, fat saturation' });
      writeInstances(dir, 't1', makeSourceInstances(v), (ds) => ({ ...asSeries(ds, '1'), EchoTime: 10, RepetitionTime: 500, ContrastBolusAgent: 'Gadovist' }));
      expect(readDicomFolder(dir).sagittalT1).toMatchObject({ role: 'sagittal_t1', postContrast: 'ContrastBolusAgent "Gadovist"' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves out a sagittal T1 without PixelSpacing (the foramina are then measured on the T2), never assuming a spacing', () => {
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-t1-nops-'));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      makeSourceInstances(v).forEach((b, i) => writeFileSync(join(dir, `t2-${i}.dcm`), Buffer.from(b)));
      writeInstances(dir, 't1', makeSourceInstances(v), (ds) => {
        const t1: Record<string, unknown> = { ...asSeries(ds, '1'), EchoTime: 10, RepetitionTime: 500 };
        delete t1.PixelSpacing;
        return t1;
      });
      const input = readDicomFolder(dir);
      expect(input.volume.role).toBe('sagittal_t2');
      expect(input.sagittalT1).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/the sagittal T1 could not be read.*no PixelSpacing \(0028,0030\)/));
    } finally {
      warn.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads an axial T2 acquired in blocks angled through each disc (one series, an orientation per block) as the axial T2', () => {
    const sag = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-angled-'));
    try {
      makeSourceInstances(sag).forEach((b, i) => writeFileSync(join(dir, `sag-${i}.dcm`), Buffer.from(b)));
      // Three blocks of 3 axial images (rows → left, columns → posterior tilted by the block's angle), one series.
      const axialUid = `${sag.seriesInstanceUid}.7`;
      const tilts = [-10, 4, 16];
      tilts.forEach((deg, b) => {
        const t = (deg * Math.PI) / 180;
        const block = { ...makeVolume(), dims: [24, 24, 3] as [number, number, number], spacingMm: [0.8, 0.8, 4] as [number, number, number], originLps: [-10, -10, 20 - 30 * b] as [number, number, number],
          rowDirection: [1, 0, 0] as [number, number, number], columnDirection: [0, Math.cos(t), -Math.sin(t)] as [number, number, number], sliceDirection: [0, Math.sin(t), Math.cos(t)] as [number, number, number],
          studyInstanceUid: sag.studyInstanceUid, seriesInstanceUid: axialUid, frameOfReferenceUid: sag.frameOfReferenceUid, sopInstanceUids: [0, 1, 2].map((k) => `${axialUid}.${b}.${k}`), seriesDescription: 't2_tse_tra 3 blocks' };
        makeSourceInstances(block).forEach((x, k) => writeFileSync(join(dir, `ax-${b}-${k}.dcm`), Buffer.from(x)));
      });
      const input = readDicomFolder(dir);
      expect(input.axialT2Unavailable).toBeUndefined();
      expect(input.axialT2).toHaveLength(9);
      expect(new Set(input.axialT2!.map((a) => a.columnDirection[2].toFixed(3))).size).toBe(3);
      expect(input.otherSeries).toContainEqual({ role: 'axial_t2', seriesInstanceUid: axialUid });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads an Enhanced (multi-frame) MR series frame by frame: the same volume, one instance, a frame number per slice', () => {
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-mf-'));
    try {
      makeSourceInstances(v).forEach((b, i) => writeFileSync(join(dir, `im${i}.dcm`), Buffer.from(b)));
      const { seriesInstanceUid } = writeEnhancedMrStandIn(dir);
      const { volume } = readDicomFolder(dir);
      expect(volume).toMatchObject({ seriesInstanceUid, dims: v.dims, role: 'sagittal_t2', sopClassUid: ENHANCED_MR_SOP_CLASS_UID });
      volume.spacingMm.forEach((x, a) => expect(x).toBeCloseTo(v.spacingMm[a], 5));
      volume.originLps.forEach((x, a) => expect(x).toBeCloseTo(v.originLps[a], 4));
      expect(new Set(volume.sopInstanceUids).size).toBe(1);
      expect([...volume.frameNumbers!].sort((a, b) => a - b)).toEqual(v.sopInstanceUids.map((_, k) => k + 1));
      let maxErr = 0;
      for (let n = 0; n < v.voxels.length; n++) maxErr = Math.max(maxErr, Math.abs(volume.voxels[n] - Math.round(v.voxels[n])));
      expect(maxErr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a series without PixelSpacing by name (the pipeline never assumes one)', async () => {
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-nops-'));
    try {
      makeSourceInstances(v).forEach((b, i) => {
        const ds = fromPart10(b);
        delete ds.PixelSpacing;
        writeFileSync(join(dir, `im${i}.dcm`), Buffer.from(toPart10(ds)));
      });
      // Refused by its headers, before any voxel is read or a spacing assumed (pipeline/series.ts chooseSeries).
      expect(() => readDicomFolder(dir)).toThrow(/has no PixelSpacing \(0028,0030\)/);
      await expect(analyze({ input: dir, out: join(dir, 'out'), manifestPath: resolve(__dirname, '../fixtures/tiny-random-model/manifest.json') }))
        .rejects.toThrow(/^no series to analyse in .*: Series .* has no PixelSpacing \(0028,0030\): distances in mm cannot be measured on it, so it is not analysed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('analyses the evenly spaced part of a series with an image missing, and says so; refuses two images at one position', () => {
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'analyze-gap-'));
    try {
      const instances = makeSourceInstances(v);
      instances.forEach((b, i) => { if (i !== 1) writeFileSync(join(dir, `im${i}.dcm`), Buffer.from(b)); });
      const { volume, warnings } = readDicomFolder(dir);
      expect(volume.dims[2]).toBe(3);
      expect(volume.sopInstanceUids).toEqual(v.sopInstanceUids.slice(2));
      expect(volume.spacingMm[2]).toBeCloseTo(v.spacingMm[2], 5);
      expect(volume.analysedSlicesNote).toMatch(/^Slices 2–4 of 4 analysed: .* 7 mm between slices 1 and 2 \(an image missing from the series\?\)/);
      expect(warnings).toContain(volume.analysedSlicesNote);
      // A second image at slice 0's position in the same series (a repeat, or another echo): not one volume.
      writeFileSync(join(dir, 'echo2.dcm'), Buffer.from(toPart10({ ...fromPart10(instances[0]), SOPInstanceUID: `${v.sopInstanceUids[0]}.2` })));
      expect(() => readDicomFolder(dir)).toThrow(/^Series ".*" has 1 image at the position of another \(two echoes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says clearly when a folder has no DICOM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyze-empty-'));
    try {
      expect(() => readDicomFolder(dir)).toThrow(/no DICOM Part 10 files/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to analyse a PNG slice (through the importer, which takes PixelSpacing from series.csv), and names other files as neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyze-png-'));
    try {
      for (const name of ['1_t2.png', 'notes.txt']) writeFileSync(join(dir, name), 'x');
      expect(() => readAnalysisInput(join(dir, '1_t2.png'))).toThrow(/is a PNG, which holds no PixelSpacing: write it as DICOM first, with series.csv beside it \(npm run import -- --out <dir> /);
      expect(() => readAnalysisInput(join(dir, 'notes.txt'))).toThrow(/is neither a NIfTI file \(\.nii\/\.nii\.gz\) nor a folder of DICOM files/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const data = resolve(__dirname, '../../../shared/data');
const nifti = join(data, 'segmentation/ivd_11_image.nii.gz');
const haveData = existsSync(nifti);
if (!haveData) console.log(`dicom-analyze: NIfTI end-to-end test skipped, ${nifti} is absent (real data lives outside the repo)`);

(haveData ? describe : describe.skip)('npm run analyze on a real NIfTI case (tiny random test model)', () => {
  it('weights a NIfTI volume as the importer labels its source, as the viewer does (vb3: sagittal T1; ivd: sagittal T2)', () => {
    expect(readNiftiInput(join(data, 'segmentation/vb3_26_image.nii.gz')).volume.role).toBe('sagittal_t1');
    expect(readNiftiInput(nifti).volume.role).toBe('sagittal_t2');
  });

  it('analyses a NIfTI file from an unknown source as the weighting stated (--weighting), and says how to state it when none is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyze-nifti-'));
    try {
      const scan = join(dir, 'scan.nii.gz');
      copyFileSync(nifti, scan);
      const unstated = readNiftiInput(scan);
      expect(unstated.volume.role).toBe('other');
      expect(unstated.warnings?.join(' ')).toMatch(/gives no weighting.*--weighting t2/);
      const stated = readNiftiInput(scan, 't2');
      expect(stated.volume).toMatchObject({ role: 'sagittal_t2', weightingStatedByReader: true });
      expect(stated.warnings?.join(' ')).toMatch(/You stated that .*scan\.nii\.gz is T2-weighted/);
      // A source the importer knows keeps its weighting.
      const known = readNiftiInput(join(data, 'segmentation/vb3_26_image.nii.gz'), 't2');
      expect(known.volume.role).toBe('sagittal_t1');
      expect(known.volume.weightingStatedByReader).toBeUndefined();
      expect(known.warnings?.join(' ')).toMatch(/--weighting t2 not used/);
      expect(() => readAnalysisInput(dir, undefined, 't2')).toThrow(/--weighting without --series is for a NIfTI file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes seg.dcm, sr.dcm and report.json that reference the importer\'s UIDs and pass dciodvfy', async () => {
    const out = mkdtempSync(join(tmpdir(), 'analyze-out-'));
    try {
      const manifestPath = resolve(__dirname, '../fixtures/tiny-random-model/manifest.json');
      const { report, files } = await analyze({ input: nifti, out, manifestPath, threads: 1 });
      expect(files.map((f) => f.replace(out, ''))).toEqual(['/report.json', '/seg.dcm', '/sr.dcm']);
      const segBytes = readFileSync(join(out, 'seg.dcm'));
      const seg = fromPart10(segBytes.buffer.slice(segBytes.byteOffset, segBytes.byteOffset + segBytes.byteLength));
      const uids = niftiCaseUids('ivd_11', seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence.length);
      expect(seg.StudyInstanceUID).toBe(uids.studyInstanceUid);
      expect(seg.ReferencedSeriesSequence[0].SeriesInstanceUID).toBe(uids.seriesInstanceUid);
      expect(seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence.map((r: any) => r.ReferencedSOPInstanceUID)).toEqual(uids.sopInstanceUids);
      expect(seg.PatientID).toBe('fcs-ivd_11');
      expect((seg.SegmentSequence as any[]).length).toBe(report.segments.length);
      const srBytes = readFileSync(join(out, 'sr.dcm'));
      const sr = readSr(srBytes.buffer.slice(srBytes.byteOffset, srBytes.byteOffset + srBytes.byteLength));
      expect(sr.levels.map((l) => l.level)).toEqual(report.levels.map((l) => l.level));
      expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).studyInstanceUid).toBe(uids.studyInstanceUid);
      if (hasDciodvfy) {
        expect(dciodvfy(segBytes.buffer.slice(segBytes.byteOffset, segBytes.byteOffset + segBytes.byteLength)).errors).toEqual([]);
        expect(dciodvfy(srBytes.buffer.slice(srBytes.byteOffset, srBytes.byteOffset + srBytes.byteLength)).errors).toEqual([]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
