/**
 * Hand-made, realistic fixtures for the DICOM writer tests: a small sagittal MR volume with DICOM
 * identity, its MR slices as Part 10 files, a labelmap (L1–L5 bodies, L1/L2–L5/S1 discs, dural sac)
 * and a SpineReport with grades incl. a not-assessable finding and a reader-modified finding.
 */
import { spawnSync } from 'node:child_process';
import { utilities as dcmjsUtilities, type NaturalDataset } from 'dcmjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labelmap, SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';
import { voxelIndex, voxelToLps } from '../../extension/src/pipeline/volume';
import type { Evidence, Finding, LevelReport, SegmentInfo, SpineReport } from '../../extension/src/pipeline/report';
import { MR_IMAGE_SOP_CLASS_UID, RLE_LOSSLESS, newUid, toPart10 } from '../../extension/src/dicom/uids';
import type { PatientStudy } from '../../extension/src/dicom/patient-study';

export const PATIENT: PatientStudy = {
  PatientName: 'Test^Spine',
  PatientID: 'SPINE-TEST-1',
  PatientBirthDate: '19700101',
  PatientSex: 'O',
  StudyDate: '20260101',
  StudyTime: '120000',
  StudyID: '1',
  AccessionNumber: 'ACC1',
  ReferringPhysicianName: '',
};

/** Sagittal volume 24 (columns, anterior→posterior) × 40 (rows, superior→inferior) × 5 slices (right→left). */
export function makeVolume(): SpineVolume {
  const dims: [number, number, number] = [24, 40, 5];
  const voxels = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let n = 0; n < voxels.length; n++) voxels[n] = (n * 37) % 1000;
  return {
    voxels,
    dims,
    spacingMm: [0.75, 0.8, 3.5],
    originLps: [-7.25, -40.5, 60.125],
    rowDirection: [0, 1, 0],
    columnDirection: [0, 0, -1],
    sliceDirection: [-1, 0, 0], // = row × column direction
    studyInstanceUid: newUid(),
    seriesInstanceUid: newUid(),
    frameOfReferenceUid: newUid(),
    sopInstanceUids: Array.from({ length: dims[2] }, () => newUid()),
    sopClassUid: MR_IMAGE_SOP_CLASS_UID,
    seriesDescription: 'SAG T2 TSE',
    role: 'sagittal_t2',
  };
}

/** MR Image Storage Part 10 files, one per slice of `v` (enough for Orthanc and QIDO). */
export function makeSourceInstances(v: SpineVolume, p: PatientStudy = PATIENT): ArrayBuffer[] {
  const [nx, ny, nz] = v.dims;
  const out: ArrayBuffer[] = [];
  for (let k = 0; k < nz; k++) {
    const px = new Uint16Array(nx * ny);
    for (let n = 0; n < px.length; n++) px[n] = Math.round(v.voxels[k * nx * ny + n]);
    out.push(
      toPart10({
        SpecificCharacterSet: 'ISO_IR 192',
        SOPClassUID: MR_IMAGE_SOP_CLASS_UID,
        SOPInstanceUID: v.sopInstanceUids[k],
        ...p,
        StudyInstanceUID: v.studyInstanceUid,
        SeriesInstanceUID: v.seriesInstanceUid,
        FrameOfReferenceUID: v.frameOfReferenceUid,
        PositionReferenceIndicator: '',
        Modality: 'MR',
        SeriesNumber: 3,
        SeriesDescription: v.seriesDescription ?? '',
        InstanceNumber: k + 1,
        Manufacturer: 'Test',
        Laterality: '',
        PatientPosition: 'HFS',
        ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'NONE'],
        ScanningSequence: 'SE',
        SequenceVariant: 'NONE',
        ScanOptions: '',
        MRAcquisitionType: '2D',
        EchoTime: 100,
        RepetitionTime: 3000,
        EchoTrainLength: 16,
        MagneticFieldStrength: 1.5,
        SliceThickness: v.spacingMm[2],
        ImagePositionPatient: voxelToLps(v, 0, 0, k),
        ImageOrientationPatient: [...v.rowDirection, ...v.columnDirection],
        PixelSpacing: [v.spacingMm[1], v.spacingMm[0]],
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        Rows: ny,
        Columns: nx,
        BitsAllocated: 16,
        BitsStored: 16,
        HighBit: 15,
        PixelRepresentation: 0,
        PixelData: px.buffer,
        _vrMap: { PixelData: 'OW' },
      }),
    );
  }
  return out;
}

const LEVELS = ['L1', 'L2', 'L3', 'L4', 'L5'];
const DISCS = ['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1'];

/** Labelmap: segments 1–5 bodies L1–L5, 6–10 discs L1/L2–L5/S1, 11 dural sac (slices 1..3 only). */
export function makeLabelmap(v: SpineVolume): Labelmap {
  const values = new Uint8Array(v.dims[0] * v.dims[1] * v.dims[2]);
  for (let k = 0; k < v.dims[2]; k++) {
    for (let b = 0; b < 5; b++) {
      const top = 2 + b * 7;
      for (let j = top; j < top + 5; j++) for (let i = 3; i < 13; i++) values[voxelIndex(v.dims, i, j, k)] = 1 + b;
      for (let j = top + 5; j < top + 7 && j < v.dims[1]; j++) for (let i = 4; i < 12; i++) values[voxelIndex(v.dims, i, j, k)] = 6 + b;
    }
    if (k >= 1 && k <= 3) for (let j = 0; j < v.dims[1]; j++) for (let i = 15; i < 19; i++) values[voxelIndex(v.dims, i, j, k)] = 11;
  }
  return { dims: [...v.dims] as [number, number, number], values };
}

function finding<T>(value: T | null, rule: string, reference: string, extra: Partial<Finding<T>> = {}): Finding<T> {
  const evidence: Evidence = { measurements: [], rule, reference };
  return { value, evidence, readerModified: false, ...extra };
}

/** A SpineReport over makeLabelmap's segments, with realistic grades. */
/** An axial series the fixture's dural sac areas were measured on. */
export const AXIAL_SERIES_UID = '1.2.826.0.1.3680043.10.543.77';

export function makeReport(v: SpineVolume, labelmap: Labelmap): SpineReport {
  const count = (n: number) => labelmap.values.reduce((a, x) => a + (x === n ? 1 : 0), 0);
  const segments: SegmentInfo[] = [
    ...LEVELS.map((l, b) => ({ segmentNumber: 1 + b, kind: 'vertebral_body' as const, level: l, label: `${l} vertebral body`, voxelCount: count(1 + b), centroidLps: voxelToLps(v, 8, 4 + 7 * b, 2) })),
    ...DISCS.map((l, b) => ({ segmentNumber: 6 + b, kind: 'disc' as const, level: l, label: `${l} disc`, voxelCount: count(6 + b), centroidLps: voxelToLps(v, 8, 7.5 + 7 * b, 2) })),
    { segmentNumber: 11, kind: 'dural_sac', label: 'Dural sac', voxelCount: count(11), centroidLps: voxelToLps(v, 16.5, 20, 2) },
  ];
  segments[8].readerModified = true; // reader renamed the L4/L5 disc
  const pf = 'Pfirrmann C. et al., Spine 2001;26(17):1873-8';
  const levels: LevelReport[] = DISCS.map((level, b) => {
    const discSeg = 6 + b;
    const m = [
      { name: 'discHeightMm', value: 9.5 - b * 0.75, unit: 'mm' as const, segmentNumber: discSeg, method: 'mean craniocaudal extent of the disc at mid-sagittal slice' },
      { name: 'nucleusCsfSignalRatio', value: 0.9 - b * 0.12, unit: '{ratio}' as const, segmentNumber: discSeg, method: 'median disc T2 signal / median CSF signal' },
      { name: 'canalApDiameterMm', value: 14 - b * 1.2, unit: 'mm' as const, segmentNumber: 11, method: 'AP extent of the dural sac at disc level' },
      {
        name: 'duralSacAreaMm2', value: 160 - b * 22.5, unit: 'mm2' as const, segmentNumber: 11, method: 'dural sac area on the slice through the disc centre',
        // Measured on an image of another (axial) series, with its outline: the SR references both.
        sourceImage: { seriesInstanceUid: AXIAL_SERIES_UID, sopInstanceUid: `${AXIAL_SERIES_UID}.${b + 1}`, frameOfReferenceUid: v.frameOfReferenceUid },
        outlineLps: [[-6, 10, 20 - 7 * b], [6, 10, 20 - 7 * b], [6.25, 24.5, 20 - 7 * b], [-6, 24.5, 20 - 7 * b]] as Vec3[],
      },
      {
        // A structure marked by a point (the exiting root's centre) on a slice of the analysed series.
        name: 'nerveRootAreaLeftMm2', value: 18 + b, unit: 'mm2' as const, method: 'area of the exiting nerve root',
        sourceImage: { seriesInstanceUid: v.seriesInstanceUid, sopInstanceUid: v.sopInstanceUids[0], frameOfReferenceUid: v.frameOfReferenceUid },
        pointLps: [-18.5, 20.25, 15 - 7 * b] as Vec3,
      },
      { name: 'vertebralSlipPercent', value: 8 * b - 12, unit: '%' as const, segmentNumber: discSeg, method: 'slip between the posterior vertebral body lines, % of the lower endplate' },
      {
        // Measured along an open path (the posterior vertebral body lines) on a slice of the analysed series.
        name: 'vertebralSlipMm', value: 2.4 * b - 3.6, unit: 'mm' as const, segmentNumber: discSeg, method: 'slip between the posterior vertebral body lines',
        sourceImage: { seriesInstanceUid: v.seriesInstanceUid, sopInstanceUid: v.sopInstanceUids[0], frameOfReferenceUid: v.frameOfReferenceUid },
        lineLps: [[0, 10, 30 - 7 * b], [0, 10.5, 20 - 7 * b], [0, 10.5 - 0.25 * b, 20 - 7 * b], [0, 10, 10 - 7 * b]] as Vec3[],
      },
    ];
    const lr: LevelReport = {
      level,
      discSegmentNumber: discSeg,
      measurements: m,
      pfirrmannGrade: finding((Math.min(5, 1 + b) as 1 | 2 | 3 | 4 | 5), `signal ratio ${m[1].value.toFixed(2)} → grade ${Math.min(5, 1 + b)}`, pf, { evidence: { measurements: [m[0], m[1]], rule: `ratio rule → grade ${Math.min(5, 1 + b)}`, reference: pf } }),
      discNarrowing: finding(b >= 3, 'disc height < 75% of mean of adjacent discs', 'SPIDER narrowing label, van der Graaf 2024'),
      discBulging: b === 0
        ? finding<boolean>(null, 'needs the disc-patch classifier', 'Fardon D.F. et al., Spine J 2014;14:2525-45', { notAssessableReason: 'not assessable: no disc-patch classifier was loaded' })
        : finding(b >= 2, `P(disc bulging) ${(0.2 * b).toFixed(2)} vs 0.5`, 'Fardon D.F. et al., Spine J 2014;14:2525-45', { evidence: { measurements: [m[0]], rule: `P(disc bulging) ${(0.2 * b).toFixed(2)} vs 0.5`, reference: 'Fardon 2014' } }),
      modicChange: finding(b === 4, `P(Modic change) ${(0.15 * b).toFixed(2)} vs 0.5`, 'Modic M.T. et al., Radiology 1988;166:193-9'),
      upperEndplateDefect: finding(b === 2, `P(defect of the endplate above the disc) ${(0.2 * b).toFixed(2)} vs 0.5`, 'Jamaludin A. et al., Eur Spine J 2017;26:1374-83'),
      lowerEndplateDefect: finding(b >= 3, `P(defect of the endplate below the disc) ${(0.2 * b).toFixed(2)} vs 0.5`, 'Jamaludin A. et al., Eur Spine J 2017;26:1374-83'),
      spondylolisthesis: b === 0
        ? finding<0 | 1 | 2 | 3 | 4 | 5>(null, 'needs both vertebral bodies', 'Meyerding 1932', { notAssessableReason: 'not assessable: the vertebral body above the disc is not segmented' })
        : finding<0 | 1 | 2 | 3 | 4 | 5>(b === 4 ? 2 : b === 3 ? 1 : 0, `slip ${8 * b - 12} %`, 'Meyerding H.W., Surg Gynecol Obstet 1932;54:371-7', { evidence: { measurements: [m[6], m[5]], rule: `slip ${8 * b - 12} %`, reference: 'Meyerding 1932' } }),
      centralCanalStenosis: finding((['none', 'none', 'mild', 'moderate', 'severe'] as const)[b], 'dural sac area < 100 mm² → stenosis', 'Bolender NF et al., JBJS Am 1985;67:240-6', { evidence: { measurements: [m[3], m[2]], rule: `area ${m[3].value} mm²`, reference: 'Bolender 1985' } }),
      foraminalStenosisLeft: finding<0 | 1 | 2 | 3>(null, 'Lee 2010 grades on parasagittal T1', 'Lee S. et al., AJR 2010;194:1095-8', { notAssessableReason: 'no sagittal T1 series in this study' }),
      foraminalStenosisRight: finding<0 | 1 | 2 | 3>(null, 'Lee 2010 grades on parasagittal T1', 'Lee S. et al., AJR 2010;194:1095-8', { notAssessableReason: 'no sagittal T1 series in this study' }),
      facetArthropathyLeft: finding<0 | 1 | 2 | 3>((b % 4) as 0 | 1 | 2 | 3, 'Pathria grade', 'Pathria M. et al., Radiology 1987;164:227-30'),
      facetArthropathyRight: finding<0 | 1 | 2 | 3>(((b + 1) % 4) as 0 | 1 | 2 | 3, 'Pathria grade', 'Pathria M. et al., Radiology 1987;164:227-30'),
    };
    return lr;
  });
  // Reader changed L4/L5 Pfirrmann from IV to III and canal from moderate to severe.
  levels[3].pfirrmannGrade = { ...levels[3].pfirrmannGrade, value: 3, readerModified: true, automaticValue: 4 };
  levels[3].centralCanalStenosis = { ...levels[3].centralCanalStenosis, value: 'severe', readerModified: true, automaticValue: 'moderate' };
  // Reader marked a Modic change at L4/L5 that the software called absent, and graded L1/L2 bulging the software could not assess.
  levels[3].modicChange = { ...levels[3].modicChange!, value: true, readerModified: true, automaticValue: false };
  levels[0].discBulging = { ...levels[0].discBulging!, value: false, notAssessableReason: undefined, readerModified: true, automaticValue: null };
  // ... and removed the lower endplate defect the software found at L5/S1.
  levels[4].lowerEndplateDefect = { ...levels[4].lowerEndplateDefect!, value: false, readerModified: true, automaticValue: true };
  return {
    schemaVersion: 1,
    studyInstanceUid: v.studyInstanceUid,
    seriesInstanceUid: v.seriesInstanceUid,
    frameOfReferenceUid: v.frameOfReferenceUid,
    sourceSeries: [{ role: 'sagittal_t2', seriesInstanceUid: v.seriesInstanceUid }],
    model: { name: 'spine-unet2d', version: '0.3.1', sha256: 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12' },
    software: { name: 'ohif-spine-mri', version: '0.1.0' },
    region: 'lumbar',
    levelNaming: { anchor: 'sacrum', certain: true, note: 'lowest disc above the sacrum is L5/S1' },
    segments,
    levels,
    createdAt: '2026-11-22T03:00:00.000Z',
    run: { backend: 'wasm', seconds: 2.5 },
    reader: { name: 'Doe^Jane' },
  };
}

/**
 * A SEG as builds before 2026-12-06 stored images whose rows × columns is not a multiple of 8 (which OHIF 3.13 draws
 * shifted): BINARY, its frames packed bit to bit (PS3.5 8.1.1), made from a FRACTIONAL RLE SEG of this build.
 * @param fractional the naturalized SEG (buildSegDataset, or fromPart10 of a stored one); its UIDs and version are kept
 * @param keep which of its frames to keep (by index; all by default)
 */
export function earlierBuildsBinarySeg(fractional: NaturalDataset, keep = (_frame: number) => true): NaturalDataset {
  const { _meta, SegmentationFractionalType: _type, MaximumFractionalValue: _max, ...rest } = fractional;
  const size = Number(fractional.Rows) * Number(fractional.Columns);
  // As written (buildSegDataset) or read back in RLE; a PACS may send it decompressed (Explicit VR Little Endian).
  const rle = !fractional._meta || fractional._meta.TransferSyntaxUID === RLE_LOSSLESS;
  const pixels = rle ? dcmjsUtilities.compression.decode(fractional.PixelData, fractional.Rows, fractional.Columns) : new Uint8Array(fractional.PixelData[0]);
  const frames = (fractional.PerFrameFunctionalGroupsSequence as NaturalDataset[]).map((item, i) => ({ item, i })).filter(({ i }) => keep(i));
  const bits = new Uint8Array(Math.ceil((frames.length * size) / 8));
  frames.forEach(({ i }, j) => {
    for (let p = 0; p < size; p++) if (pixels[i * size + p]) bits[(j * size + p) >> 3] |= 1 << ((j * size + p) & 7);
  });
  return {
    ...rest, SegmentationType: 'BINARY', BitsAllocated: 1, BitsStored: 1, HighBit: 0,
    NumberOfFrames: frames.length, PerFrameFunctionalGroupsSequence: frames.map(({ item }) => item), PixelData: bits.buffer, _vrMap: { PixelData: 'OB' },
  };
}

export interface DciodvfyResult {
  errors: string[];
  warnings: string[];
  output: string;
}

/** `use` of the bytes written to a temporary file, which is deleted after (the DICOM tools below read files). */
function withTempFile<T>(bytes: ArrayBuffer, use: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'spine-dicom-tool-'));
  try {
    const file = join(dir, 'in.dcm');
    writeFileSync(file, Buffer.from(bytes));
    return use(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs dicom3tools' dciodvfy on the bytes; returns its Error and Warning lines. */
export function dciodvfy(bytes: ArrayBuffer): DciodvfyResult {
  return withTempFile(bytes, (file) => {
    const r = spawnSync('dciodvfy', ['-new', file], { encoding: 'utf8' });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const lines = output.split('\n');
    return { errors: lines.filter((l) => /^Error/.test(l)), warnings: lines.filter((l) => /^Warning/.test(l)), output };
  });
}

export const hasDciodvfy = spawnSync('which', ['dciodvfy']).status === 0;

/** DCMTK's dcmdrle, a second RLE decoder: the Part 10 bytes decompressed to Explicit VR Little Endian. @throws Error when it refuses them. */
export function dcmdrle(bytes: ArrayBuffer): ArrayBuffer {
  return withTempFile(bytes, (file, dir) => {
    const r = spawnSync('dcmdrle', [file, join(dir, 'out.dcm')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`dcmdrle: ${r.stderr || r.stdout}`);
    const out = readFileSync(join(dir, 'out.dcm'));
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  });
}

export const hasDcmdrle = spawnSync('which', ['dcmdrle']).status === 0;

/**
 * DCMTK's dsrdump reads the SR as a consumer would and refuses a content item that breaks the IOD's relationship
 * constraints. Returns whether it read the whole document and its E:/W: lines (its note that the VR checker does not
 * know ISO_IR 192, i.e. UTF-8, left out: it says nothing about the object).
 */
export function dsrdump(bytes: ArrayBuffer): { ok: boolean; problems: string[] } {
  return withTempFile(bytes, (file) => {
    const r = spawnSync('dsrdump', [file], { encoding: 'utf8' });
    const problems = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => /^[EWF]:/.test(l) && !/VR checker does not support this Specific Character Set: ISO_IR 192/.test(l));
    return { ok: r.status === 0, problems };
  });
}

export const hasDsrdump = spawnSync('which', ['dsrdump']).status === 0;
