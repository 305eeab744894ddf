/**
 * Turns research data into DICOM MR series (Part 10 buffers) with deterministic UIDs:
 *   - NIfTI volumes (`<case>_image.nii.gz`, FastCleverSeg collection, see ../shared/data/README.md):
 *     one sagittal instance per NIfTI axis-2 index, rows = axis 0 (S→I), columns = axis 1 (A→P);
 *   - SPIDER mid-sagittal PNGs (`<patient>_<sequence>.png` + `series.csv`): one single-slice
 *     sagittal instance, one study per patient, one series per sequence;
 *   - folders of DICOM files: passed through unchanged.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import type { SpineVolume } from '../../extension/src/pipeline/volume';
import { mrSeriesToPart10, SEQUENCES, type MrSeriesInfo, type SequencePreset } from './dicom-mr';
import { LabelVolumeError, labelVolumeReason, niftiToSpineVolume, readNiftiFile } from './nifti';
import { deterministicUid } from './uids';
import { axialReformat } from './axial-reformat';

/** One series ready to store: its identity and Part 10 instances. */
export interface DicomSeries {
  /** Human-readable origin, e.g. 'vb2_02_image.nii.gz'. */
  source: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesDescription: string;
  instances: ArrayBuffer[];
}

/** What the FastCleverSeg README says about each case prefix (sequence, scanner, source paper). */
interface CaseFamily {
  sequence: SequencePreset;
  /** SeriesDescription prefix, e.g. 'SAG T2 TSE'. */
  description: string;
  citation: string;
  manufacturer?: string;
  model?: string;
  fieldStrengthT?: number;
}

const FAMILIES: Record<string, CaseFamily> = {
  vb3: { sequence: SEQUENCES.t1Ffe, description: 'SAG T1 FFE', citation: 'Burian 2019, MyoSegmenTUM', manufacturer: 'Philips', model: 'Ingenia', fieldStrengthT: 3 },
  vb2: { sequence: SEQUENCES.t2Tse, description: 'SAG T2 TSE', citation: 'Zukić 2014', manufacturer: 'Siemens', fieldStrengthT: 1.5 },
  vb1: { sequence: SEQUENCES.unknown, description: 'SAG MR, weighting not given', citation: 'Chu 2015' },
  ivd: { sequence: SEQUENCES.t2Tse, description: 'SAG T2 SE', citation: 'Menezes-Reis 2016', manufacturer: 'Philips', model: 'Achieva', fieldStrengthT: 1.5 },
};

const NOMINAL = 'Acquisition timing attributes are nominal for the sequence type, not from the source.';

/** Case id of a NIfTI file: `vb2_02_image.nii.gz` → `vb2_02`; `scan.nii` → `scan`. */
export function niftiCaseId(path: string): string {
  return basename(path).replace(/\.nii(\.gz)?$/i, '').replace(/_image$/, '');
}

/** The UIDs the importer gives a NIfTI case (also used by tools that reference its slices, e.g. SEG). */
export function niftiCaseUids(caseId: string, slices: number): Pick<SpineVolume, 'studyInstanceUid' | 'seriesInstanceUid' | 'frameOfReferenceUid' | 'sopInstanceUids'> {
  return {
    studyInstanceUid: deterministicUid(`nifti:${caseId}:study`),
    seriesInstanceUid: deterministicUid(`nifti:${caseId}:series`),
    frameOfReferenceUid: deterministicUid(`nifti:${caseId}:for`),
    sopInstanceUids: Array.from({ length: slices }, (_, k) => deterministicUid(`nifti:${caseId}:sop:${k}`)),
  };
}

/**
 * Reads a NIfTI volume and fills in the DICOM identity `npm run import` gives it, so a SpineVolume
 * read from the file and the series in the PACS have the same UIDs.
 * @throws LabelVolumeError when the file holds labels, not MR intensities (nifti.ts labelVolumeReason); Error when unreadable.
 */
export function readNiftiCase(path: string): SpineVolume {
  const stored = readNiftiFile(path);
  const why = labelVolumeReason(stored);
  if (why) throw new LabelVolumeError(`${basename(path)} is a label volume (a segmentation mask: ${why}), not an MR image; give the image it labels`);
  const v = niftiToSpineVolume(stored);
  const caseId = niftiCaseId(path);
  const fam = FAMILIES[caseId.split('_')[0]];
  const description = fam ? `${fam.description} — ${caseId} (${fam.citation}, FastCleverSeg)` : `SAG MR — ${caseId} (NIfTI import)`;
  return { ...v, ...niftiCaseUids(caseId, v.dims[2]), seriesDescription: description.slice(0, 64) };
}

/**
 * Every `sliceStep`-th slice (axis k) of `v`, at most `maxSlices`, centred in the volume: a thinner
 * series like a clinical sagittal acquisition (15–20 slices of 3–4 mm) made from a 1 mm research
 * volume. Slice spacing becomes `spacingMm[2] * sliceStep`; originLps moves to the first kept slice;
 * the caller gives new UIDs (sopInstanceUids here are the kept source ones).
 * @throws Error when sliceStep is not an integer ≥ 1 or maxSlices < 1.
 */
export function thinSlices(v: SpineVolume, sliceStep: number, maxSlices = Infinity): SpineVolume {
  if (!Number.isInteger(sliceStep) || sliceStep < 1) throw new Error(`sliceStep must be an integer ≥ 1, got ${sliceStep}`);
  if (!(maxSlices >= 1)) throw new Error(`maxSlices must be ≥ 1, got ${maxSlices}`);
  const [nx, ny, nz] = v.dims;
  const n = Math.min(Math.floor((nz - 1) / sliceStep) + 1, Math.floor(maxSlices));
  const k0 = Math.floor((nz - 1 - (n - 1) * sliceStep) / 2);
  const plane = nx * ny;
  const voxels = new Float32Array(plane * n);
  for (let s = 0; s < n; s++) voxels.set(v.voxels.subarray((k0 + s * sliceStep) * plane, (k0 + s * sliceStep + 1) * plane), s * plane);
  const sz = v.spacingMm[2];
  return {
    ...v,
    voxels,
    dims: [nx, ny, n],
    spacingMm: [v.spacingMm[0], v.spacingMm[1], sz * sliceStep],
    originLps: [0, 1, 2].map((a) => v.originLps[a] + v.sliceDirection[a] * k0 * sz) as SpineVolume['originLps'],
    sopInstanceUids: v.sopInstanceUids.filter((_, k) => k >= k0 && (k - k0) % sliceStep === 0).slice(0, n),
  };
}

/**
 * NIfTI file → one DICOM MR series (see module docstring). With `opts.sliceStep` > 1 only every
 * sliceStep-th slice is kept (at most `opts.maxSlices`, centred; see thinSlices), under UIDs of
 * their own (case id `<case>_every<step>`), so the thin series never collides with the full one.
 * Throws on unreadable NIfTI or bad options.
 */
export function niftiToSeries(path: string, opts: { sliceStep?: number; maxSlices?: number } = {}): DicomSeries {
  const full = readNiftiCase(path);
  const step = opts.sliceStep ?? 1;
  const thin = step > 1 || opts.maxSlices !== undefined;
  const caseId = niftiCaseId(path) + (thin ? `_every${step}` : '');
  const v = thin ? thinSlices(full, step, opts.maxSlices) : full;
  if (thin) Object.assign(v, niftiCaseUids(caseId, v.dims[2]), { seriesDescription: `${full.seriesDescription ?? caseId}`.slice(0, 50) + ` every ${step}th` });
  const fam = FAMILIES[caseId.split('_')[0]];
  const info = niftiSeriesInfo(caseId, v, {
    seriesNumber: 1,
    seriesDescription: v.seriesDescription ?? caseId,
    comments:
      `Imported by ohif-spine-mri from ${basename(path)}` +
      (fam ? ` (${fam.citation}; FastCleverSeg collection, Ramos 2024), resampled to 1 mm by the publishers. ${NOMINAL}` : '.') +
      (thin ? ` Thinned for benchmarking: every ${step}th slice, ${v.dims[2]} slices of ${v.spacingMm[2]} mm.` : ''),
  });
  return { source: basename(path), studyInstanceUid: info.studyInstanceUid, seriesInstanceUid: info.seriesInstanceUid, seriesDescription: info.seriesDescription, instances: mrSeriesToPart10(v, info) };
}

/**
 * NIfTI file → an axial T2 series resampled from it (axial-reformat.ts: 4 mm slabs), in the same study
 * and frame of reference as niftiToSeries with the same `opts` (a thinned series' study, for the benchmark), series
 * number 2, labelled as a reformat in SeriesDescription and ImageComments (it is not an acquisition). Always resampled
 * from the whole 1 mm volume. Throws on unreadable NIfTI.
 */
export function niftiAxialReformatSeries(path: string, opts: { sliceStep?: number; maxSlices?: number } = {}): DicomSeries {
  const sag = readNiftiCase(path);
  const step = opts.sliceStep ?? 1;
  const caseId = niftiCaseId(path) + (step > 1 || opts.maxSlices !== undefined ? `_every${step}` : '');
  const ax = axialReformat(sag);
  const { studyInstanceUid, frameOfReferenceUid } = niftiCaseUids(caseId, 0);
  const { seriesInstanceUid, sopInstanceUids } = niftiCaseUids(`${caseId}_axial`, ax.dims[2]);
  Object.assign(ax, { studyInstanceUid, frameOfReferenceUid, seriesInstanceUid, sopInstanceUids });
  const fam = FAMILIES[caseId.split('_')[0]];
  const info = niftiSeriesInfo(caseId, ax, {
    seriesNumber: 2,
    seriesDescription: `AX ${(fam?.description ?? 'MR').replace(/^SAG /, '')} reformat — ${caseId}`,
    comments: `Axial reformat (${ax.spacingMm[2]} mm slabs) of the sagittal volume ${basename(path)}, made by ohif-spine-mri import --axial-reformat; not an acquired axial series. ${NOMINAL}`,
  });
  return { source: `${basename(path)} (axial reformat)`, studyInstanceUid: info.studyInstanceUid, seriesInstanceUid: info.seriesInstanceUid, seriesDescription: info.seriesDescription, instances: mrSeriesToPart10(ax, info) };
}

/** Patient, study, identity and sequence attributes of a series made from NIfTI case `caseId` (volume `v` holds its UIDs). */
function niftiSeriesInfo(caseId: string, v: SpineVolume, series: Pick<MrSeriesInfo, 'seriesNumber' | 'seriesDescription' | 'comments'>): MrSeriesInfo {
  const fam = FAMILIES[caseId.split('_')[0]];
  return {
    patientName: `FastCleverSeg^${caseId}`,
    patientId: `fcs-${caseId}`,
    studyInstanceUid: v.studyInstanceUid,
    studyDescription: `Spine MRI sample ${caseId}`,
    studyId: caseId.slice(0, 16),
    seriesInstanceUid: v.seriesInstanceUid,
    frameOfReferenceUid: v.frameOfReferenceUid,
    sopInstanceUid: (k) => v.sopInstanceUids[k],
    sequence: fam?.sequence ?? SEQUENCES.unknown,
    manufacturer: fam?.manufacturer,
    manufacturerModelName: fam?.model,
    magneticFieldStrengthT: fam?.fieldStrengthT,
    ...series,
  };
}

/** One row of SPIDER's series.csv. */
export interface SpiderSeriesRow {
  series: string;
  patient: string;
  sequence: string;
  rows: number;
  columns: number;
  /** [row spacing, column spacing] mm (DICOM PixelSpacing order). */
  pixelSpacingMm: [number, number];
  sliceThicknessMm: number;
  manufacturer: string;
  model: string;
  fieldStrengthT: number;
  seriesDescription: string;
}

/** Parses SPIDER's series.csv (comma-separated, no quoted commas). Throws when a column is missing. */
export function readSpiderSeriesCsv(file: string): Map<string, SpiderSeriesRow> {
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const head = lines[0].split(',');
  const col = (name: string): number => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`${file}: column "${name}" missing`);
    return i;
  };
  const c = { series: col('series'), patient: col('patient'), sequence: col('sequence'), rows: col('rows'), columns: col('columns'), ps: col('pixel_spacing_mm'), st: col('slice_thickness_mm'), man: col('manufacturer'), model: col('model'), fs: col('field_strength_t'), desc: col('series_description') };
  const out = new Map<string, SpiderSeriesRow>();
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const [r, cc] = f[c.ps].split('\\').map(Number);
    out.set(f[c.series], {
      series: f[c.series],
      patient: f[c.patient],
      sequence: f[c.sequence],
      rows: Number(f[c.rows]),
      columns: Number(f[c.columns]),
      pixelSpacingMm: [r, cc],
      sliceThicknessMm: Number(f[c.st]),
      manufacturer: f[c.man] ?? '',
      model: f[c.model] ?? '',
      fieldStrengthT: Number(f[c.fs]),
      seriesDescription: (f[c.desc] ?? '').trim(),
    });
  }
  return out;
}

/**
 * Whether a SPIDER image is a slice of a 3D acquisition: its series description names a 3D sequence (Siemens SPACE,
 * GE CUBE, Philips VISTA) or its slices are under 1.5 mm (2D TSE slices are 3–4 mm in SPIDER). Not only the
 * `t2_SPACE` images: 11 of SPIDER's 172 `t2` images are "T2_space_sag_c4" slices of 0.9 mm.
 */
export function spiderImageIsThreeD(seriesDescription: string, sliceThicknessMm: number): boolean {
  return /space|cube|vista|\b3d\b/i.test(seriesDescription) || sliceThicknessMm < 1.5;
}

const SPIDER_SEQUENCES: Record<string, { preset: SequencePreset; label: string; number: number }> = {
  t1: { preset: SEQUENCES.t1Tse, label: 'SAG T1', number: 1 },
  t2: { preset: SEQUENCES.t2Tse, label: 'SAG T2', number: 2 },
  t2_SPACE: { preset: SEQUENCES.t2Space, label: 'SAG T2 SPACE', number: 3 },
};

/**
 * SPIDER PNG (`<patient>_<sequence>.png`, head at top, anterior at left) → single-slice sagittal
 * MR series. Geometry is nominal (the PNG has no position): the slice is centred at LPS (0, 0, 0),
 * rowDirection = +y (posterior), columnDirection = −z (inferior), PixelSpacing from series.csv.
 * @throws Error when the file name or series.csv row is missing, or the PNG size disagrees with it.
 */
export function spiderPngToSeries(pngPath: string, rows?: Map<string, SpiderSeriesRow>): DicomSeries {
  const key = basename(pngPath).replace(/\.png$/i, '');
  const csv = join(dirname(pngPath), 'series.csv');
  const table = rows ?? (existsSync(csv) ? readSpiderSeriesCsv(csv) : undefined);
  const row = table?.get(key);
  if (!row) throw new Error(`${pngPath}: no row "${key}" in ${csv} (SPIDER PNGs need series.csv beside them for PixelSpacing)`);
  const png = PNG.sync.read(readFileSync(pngPath));
  if (png.height !== row.rows || png.width !== row.columns) {
    throw new Error(`${pngPath}: PNG is ${png.width}×${png.height} but series.csv says ${row.columns}×${row.rows}`);
  }
  const voxels = new Float32Array(png.width * png.height);
  for (let i = 0; i < voxels.length; i++) voxels[i] = png.data[i * 4]; // pngjs decodes to RGBA; gray = R
  const [rowSp, colSp] = row.pixelSpacingMm;
  const seq = SPIDER_SEQUENCES[row.sequence] ?? { preset: SEQUENCES.unknown, label: `SAG ${row.sequence}`, number: 9 };
  const stir = /stir|tirm/i.test(row.seriesDescription);
  // A 't2' that is a 3D SPACE slice is written as one (MRAcquisitionType 3D), as its scanner wrote it.
  const preset = seq.preset === SEQUENCES.t2Tse && spiderImageIsThreeD(row.seriesDescription, row.sliceThicknessMm) ? SEQUENCES.t2Space : seq.preset;
  const volume: SpineVolume = {
    voxels,
    dims: [png.width, png.height, 1],
    spacingMm: [colSp, rowSp, row.sliceThicknessMm],
    originLps: [0, (-(png.width - 1) / 2) * colSp, ((png.height - 1) / 2) * rowSp],
    rowDirection: [0, 1, 0],
    columnDirection: [0, 0, -1],
    sliceDirection: [-1, 0, 0],
    studyInstanceUid: deterministicUid(`spider:${row.patient}:study`),
    seriesInstanceUid: deterministicUid(`spider:${row.patient}:${row.sequence}:series`),
    frameOfReferenceUid: deterministicUid(`spider:${row.patient}:${row.sequence}:for`),
    sopInstanceUids: [deterministicUid(`spider:${row.patient}:${row.sequence}:sop:0`)],
  };
  const original = row.seriesDescription ? ` (${row.seriesDescription})` : '';
  const info: MrSeriesInfo = {
    patientName: `SPIDER^${row.patient}`,
    patientId: `spider-${row.patient}`,
    studyInstanceUid: volume.studyInstanceUid,
    studyDescription: `Spine MRI sample SPIDER ${row.patient}`,
    studyId: `spider${row.patient}`.slice(0, 16),
    seriesInstanceUid: volume.seriesInstanceUid,
    seriesNumber: seq.number,
    seriesDescription: `${seq.label} — SPIDER ${row.patient}${original}`.slice(0, 64),
    frameOfReferenceUid: volume.frameOfReferenceUid,
    sopInstanceUid: () => volume.sopInstanceUids[0],
    sequence: stir ? SEQUENCES.unknown : preset,
    manufacturer: row.manufacturer,
    manufacturerModelName: row.model,
    magneticFieldStrengthT: Number.isFinite(row.fieldStrengthT) ? row.fieldStrengthT : undefined,
    sliceThicknessMm: row.sliceThicknessMm,
    comments: `Imported by ohif-spine-mri from SPIDER ${basename(pngPath)} (van der Graaf 2024, Sci Data 11:264, CC BY 4.0): one mid-sagittal slice, publisher's 8-bit windowing; position is nominal. ${NOMINAL}`,
  };
  return { source: basename(pngPath), studyInstanceUid: info.studyInstanceUid, seriesInstanceUid: info.seriesInstanceUid, seriesDescription: info.seriesDescription, instances: mrSeriesToPart10(volume, info) };
}

/** Whether a file starts with the Part 10 preamble + "DICM". */
export function isPart10(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const b = Buffer.alloc(132);
    return readSync(fd, b, 0, 132, 0) === 132 && b.toString('latin1', 128, 132) === 'DICM';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A Part 10 file's bytes as an ArrayBuffer of its own (a Node Buffer may share a larger pool). */
export function readPart10(file: string): ArrayBuffer {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * All Part 10 files under `dir` (recursive), sorted; non-DICOM files are ignored, and so is a DICOMDIR (the index
 * of a CD or USB export, PS3.10 8.6: not an image, and a PACS refuses it over STOW-RS).
 */
export function findDicomFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && name.toUpperCase() !== 'DICOMDIR' && isPart10(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
