/**
 * Input of `npm run analyze`: a NIfTI file or a folder of DICOM files → the SpineVolume to analyse,
 * with the DICOM identity the SEG/SR must reference and the patient/study attributes to copy.
 *
 * - NIfTI: geometry from scripts/lib/nifti.ts; UIDs and patient attributes exactly as `npm run import`
 *   gives the same file (deterministic UIDs, scripts/lib/sources.ts), so the SEG references the
 *   imported series' instances.
 * - DICOM folder: Part 10 files grouped by SeriesInstanceUID; the series is picked by
 *   pipeline/series.ts chooseSeries (sagittal T2, else T1, else STIR), or named by the user (--series, with
 *   --weighting where its headers give none), as the reader chooses in the panel. Slices are sorted along the
 *   slice normal (row × column direction, LPS); voxel values = stored value × RescaleSlope + RescaleIntercept.
 *   The folder's axial T2 series, when there is one, is read image by image (stacks may be angled) for
 *   the dural sac area.
 */
import { statSync } from 'node:fs';
import type { NaturalDataset } from 'dcmjs';
import { withPixelSpacing, type SpineVolume, type Vec3 } from '../extension/src/pipeline/volume';
import type { AxialSlice } from '../extension/src/pipeline/axial-canal';
import type { SourceSeriesRef } from '../extension/src/pipeline/report';
import { evenlySpacedRun } from '../extension/src/pipeline/slice-run';
import { chooseSeries, classifySeries, fatAndContrastOf, readerMayStateWeighting, type ReaderSeriesChoice, type SeriesHeaders } from '../extension/src/pipeline/series';
import { fromPart10 } from '../extension/src/dicom/uids';
import { functionalGroupValue, seriesHeadersFrom } from '../extension/src/dicom/series-headers';
import { patientStudyFrom, type PatientStudy } from '../extension/src/dicom/patient-study';
import { findDicomFiles, niftiToSeries, readNiftiCase, readPart10 } from './lib/sources';
import { decodeFrame } from './lib/pixel-codecs';

export interface AnalysisInput {
  volume: SpineVolume;
  patientStudy: PatientStudy;
  /** What was read, for logs. */
  description: string;
  /** The series choice's caveats (chooseSeries warnings), for logs. */
  warnings?: string[];
  /** The other series the grading looks for (sagittal T1, axial T2), by role. */
  otherSeries?: SourceSeriesRef[];
  /** Images of the axial T2 series, when the input has one. */
  axialT2?: AxialSlice[];
  /** Why the axial T2 series could not be read (the analysis goes on without its area). */
  axialT2Unavailable?: string;
  /** The sagittal T1 series, when the input has one besides the analysed series (foramina are measured on it). */
  sagittalT1?: SpineVolume;
}

const nums = (v: unknown): number[] => (Array.isArray(v) ? v : String(v ?? '').split('\\')).map(Number);
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * Voxels of one single-frame slice as modality values (Float32, row-major columns fastest); compressed pixel data is
 * decoded first (scripts/lib/pixel-codecs.ts: JPEG Lossless, JPEG-LS; loadPixelCodecs() must have run).
 */
function sliceValues(ds: NaturalDataset): Float32Array {
  const rows = Number(ds.Rows), cols = Number(ds.Columns), bits = Number(ds.BitsAllocated);
  const stored: ArrayBuffer | undefined = Array.isArray(ds.PixelData) ? ds.PixelData[0] : ds.PixelData;
  if (!stored) throw new Error(`instance ${ds.SOPInstanceUID} has no PixelData`);
  const buf = decodeFrame(ds._meta?.TransferSyntaxUID, stored, String(ds.SOPInstanceUID));
  if (Number(ds.SamplesPerPixel ?? 1) !== 1) throw new Error(`instance ${ds.SOPInstanceUID} is not grayscale`);
  const n = rows * cols;
  const signed = Number(ds.PixelRepresentation) === 1;
  const raw = bits === 16 ? (signed ? new Int16Array(buf, 0, n) : new Uint16Array(buf, 0, n)) : bits === 8 ? new Uint8Array(buf, 0, n) : undefined;
  if (!raw) throw new Error(`instance ${ds.SOPInstanceUID}: BitsAllocated ${bits} not supported (8 or 16)`);
  const slope = Number(ds.RescaleSlope ?? 1) || 1, intercept = Number(ds.RescaleIntercept ?? 0) || 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = raw[i] * slope + intercept;
  return out;
}

/**
 * The frames of a multi-frame (Enhanced MR) instance as single-frame datasets — geometry and rescale from its functional
 * groups (PS3.3 C.7.6.16), the frame's pixels, `frameNumber` 1-based — so the single-frame reader below takes them;
 * a single-frame instance as it is.
 */
export function framesOf(ds: NaturalDataset): (NaturalDataset & { frameNumber?: number })[] {
  const n = Number(ds.NumberOfFrames ?? 1);
  if (!(n > 1)) return [ds];
  // Compressed: one item per frame (dcmjs); native: one buffer of n frames.
  const frames: ArrayBuffer[] | undefined = Array.isArray(ds.PixelData) && ds.PixelData.length === n ? ds.PixelData : undefined;
  const buf: ArrayBuffer | undefined = Array.isArray(ds.PixelData) ? ds.PixelData[0] : ds.PixelData;
  const frameBytes = Number(ds.Rows) * Number(ds.Columns) * (Number(ds.BitsAllocated) / 8);
  if (!frames && (!buf || buf.byteLength < n * frameBytes)) throw new Error(`instance ${ds.SOPInstanceUID}: multi-frame pixel data is missing or short (${n} frames of ${frameBytes} bytes expected)`);
  const group = (f: number, sequence: string, attribute: string) => functionalGroupValue(ds, sequence, attribute, f);
  return Array.from({ length: n }, (_, f) => ({
    ...ds,
    NumberOfFrames: 1,
    frameNumber: f + 1,
    ImagePositionPatient: group(f, 'PlanePositionSequence', 'ImagePositionPatient'),
    ImageOrientationPatient: group(f, 'PlaneOrientationSequence', 'ImageOrientationPatient'),
    PixelSpacing: group(f, 'PixelMeasuresSequence', 'PixelSpacing'),
    SliceThickness: group(f, 'PixelMeasuresSequence', 'SliceThickness'),
    RescaleSlope: ds.RescaleSlope ?? group(f, 'PixelValueTransformationSequence', 'RescaleSlope'),
    RescaleIntercept: ds.RescaleIntercept ?? group(f, 'PixelValueTransformationSequence', 'RescaleIntercept'),
    PixelData: frames ? frames[f] : buf!.slice(f * frameBytes, (f + 1) * frameBytes),
  }));
}

/**
 * A SpineVolume from the instances of one series: single-frame images, or the frames of multi-frame ones (framesOf;
 * the volume then records each slice's frame number). Of a series with a gap (an image missing), the evenly spaced
 * slices (pipeline/slice-run.ts; the volume's analysedSlicesNote says which). Throws on mixed sizes/orientations, on
 * images sharing a position, or on spacing uneven throughout.
 */
export function volumeFromInstances(series: NaturalDataset[]): SpineVolume {
  const instances = series.flatMap(framesOf);
  if (instances.length === 0) throw new Error('no instances in the series');
  const iop = nums(instances[0].ImageOrientationPatient);
  if (iop.length !== 6 || iop.some((x) => !Number.isFinite(x))) throw new Error('the series has no ImageOrientationPatient');
  const row = iop.slice(0, 3) as Vec3, col = iop.slice(3, 6) as Vec3;
  const normal = cross(row, col);
  const all = [...instances].sort((a, b) => dot(nums(a.ImagePositionPatient), normal) - dot(nums(b.ImagePositionPatient), normal));
  const run = evenlySpacedRun(all.map((s) => dot(nums(s.ImagePositionPatient), normal)), `"${all[0].SeriesDescription ?? all[0].SeriesInstanceUID}"`);
  const sorted = all.slice(run.start, run.end);
  const rows = Number(sorted[0].Rows), cols = Number(sorted[0].Columns);
  for (const s of sorted) {
    if (Number(s.Rows) !== rows || Number(s.Columns) !== cols) throw new Error('instances of the series differ in size');
    if (nums(s.ImageOrientationPatient).some((x, i) => Math.abs(x - iop[i]) > 1e-3)) throw new Error('instances of the series differ in orientation');
  }
  const pos = sorted.map((s) => nums(s.ImagePositionPatient));
  const sliceSpacingMm = run.spacingMm ?? Number(sorted[0].SpacingBetweenSlices ?? sorted[0].SliceThickness ?? 1);
  const ps = nums(sorted[0].PixelSpacing);
  const voxels = new Float32Array(rows * cols * sorted.length);
  sorted.forEach((s, k) => voxels.set(sliceValues(s), k * rows * cols));
  return {
    voxels,
    dims: [cols, rows, sorted.length],
    spacingMm: [ps[1] ?? NaN, ps[0] ?? NaN, sliceSpacingMm || 1], // no PixelSpacing: NaN, refused with that reason by the pipeline
    originLps: pos[0] as Vec3,
    rowDirection: row,
    columnDirection: col,
    sliceDirection: normal,
    studyInstanceUid: String(sorted[0].StudyInstanceUID ?? ''),
    seriesInstanceUid: String(sorted[0].SeriesInstanceUID ?? ''),
    frameOfReferenceUid: String(sorted[0].FrameOfReferenceUID ?? ''),
    sopInstanceUids: sorted.map((s) => String(s.SOPInstanceUID)),
    ...(sorted.some((s) => s.frameNumber) ? { frameNumbers: sorted.map((s) => Number(s.frameNumber ?? 1)) } : {}),
    sopClassUid: String(sorted[0].SOPClassUID ?? ''),
    seriesDescription: String(sorted[0].SeriesDescription ?? ''),
    mrAcquisitionType: sorted[0].MRAcquisitionType === undefined ? undefined : String(sorted[0].MRAcquisitionType),
    ...fatAndContrastOf({ ImageType: sorted[0].ImageType as string[] | undefined, SeriesDescription: sorted[0].SeriesDescription as string | undefined, ScanOptions: sorted[0].ScanOptions as string | undefined, ContrastBolusAgent: sorted[0].ContrastBolusAgent as string | undefined }),
    ...(run.note ? { analysedSlicesNote: run.note } : {}),
  };
}

/** One single-frame image with its own geometry. Throws when geometry or PixelSpacing is missing. */
export function axialSliceOf(ds: NaturalDataset): AxialSlice {
  const iop = nums(ds.ImageOrientationPatient), ipp = nums(ds.ImagePositionPatient), ps = nums(ds.PixelSpacing);
  if (iop.length !== 6 || ipp.length !== 3 || ps.length !== 2 || [...iop, ...ipp, ...ps].some((x) => !Number.isFinite(x))) {
    throw new Error(`instance ${ds.SOPInstanceUID} lacks ImagePositionPatient, ImageOrientationPatient or PixelSpacing`);
  }
  return {
    pixels: sliceValues(ds),
    columns: Number(ds.Columns),
    rows: Number(ds.Rows),
    spacingMm: [ps[1], ps[0]],
    positionLps: ipp as Vec3,
    rowDirection: iop.slice(0, 3) as Vec3,
    columnDirection: iop.slice(3, 6) as Vec3,
    sliceThicknessMm: Number(ds.SliceThickness) || 0,
    sopInstanceUid: String(ds.SOPInstanceUID ?? ''),
    seriesInstanceUid: String(ds.SeriesInstanceUID ?? ''),
    frameOfReferenceUid: String(ds.FrameOfReferenceUID ?? ''),
    instanceNumber: ds.InstanceNumber !== undefined ? Number(ds.InstanceNumber) : undefined,
    ...(ds.frameNumber ? { frameNumber: Number(ds.frameNumber) } : {}),
    ...(ds.SOPClassUID ? { sopClassUid: String(ds.SOPClassUID) } : {}),
  };
}

/**
 * Reads a DICOM folder and picks the analysis series: chooseSeries' choice, or `userChoice` (chooseSeries' readerChoice).
 * @throws Error when nothing suitable is there, or when `userChoice` names no sagittal MR series of the folder.
 */
export function readDicomFolder(dir: string, userChoice?: ReaderSeriesChoice): AnalysisInput {
  const files = findDicomFiles(dir);
  if (files.length === 0) throw new Error(`no DICOM Part 10 files under ${dir}`);
  return readDicomDatasets(files.map((f) => fromPart10(readPart10(f))), dir, userChoice);
}

/** Series headers (series.ts) of naturalized instances grouped by SeriesInstanceUID, frames counted. */
export function headersBySeries(bySeries: Map<string, NaturalDataset[]>): SeriesHeaders[] {
  return [...bySeries].map(([uid, list]) => seriesHeadersFrom(uid, list, list.reduce((n, d) => n + Number(d.NumberOfFrames ?? 1), 0)));
}

/** Naturalized instances (with pixel data) grouped by SeriesInstanceUID, in input order. */
function groupBySeries(datasets: NaturalDataset[]): Map<string, NaturalDataset[]> {
  const bySeries = new Map<string, NaturalDataset[]>();
  for (const ds of datasets) {
    const uid = String(ds.SeriesInstanceUID ?? '');
    if (!bySeries.has(uid)) bySeries.set(uid, []);
    bySeries.get(uid)!.push(ds);
  }
  return bySeries;
}

/**
 * readDicomFolder on instances already read (from files, or retrieved over DICOMweb); `where` names their origin in messages.
 * @throws Error as readDicomFolder.
 */
export function readDicomDatasets(datasets: NaturalDataset[], where: string, userChoice?: ReaderSeriesChoice): AnalysisInput {
  const bySeries = groupBySeries(datasets);
  const all = headersBySeries(bySeries);
  let choice = chooseSeries(all, userChoice);
  // A CD or folder may hold several studies (a prior exam, another patient): the sagittal T1 and axial T2 must come
  // from the analysed series' study, so the choice is made again among that study's series.
  const studyOf = (seriesUid: string) => String(bySeries.get(seriesUid)?.[0]?.StudyInstanceUID ?? '');
  const studies = new Set(all.map((h) => studyOf(h.SeriesInstanceUID)));
  let otherStudies: string | undefined;
  if (studies.size > 1 && choice.analysisSeries) {
    const study = studyOf(choice.analysisSeries.SeriesInstanceUID);
    const first = bySeries.get(choice.analysisSeries.SeriesInstanceUID)![0];
    choice = chooseSeries(all.filter((h) => studyOf(h.SeriesInstanceUID) === study), userChoice);
    otherStudies = `${where} holds ${studies.size} studies; analysed: study ${study}${first.StudyDate ? ` of ${first.StudyDate}` : ''}${first.StudyDescription ? ` "${first.StudyDescription}"` : ''}, with that study's series only. Name a series of another study with --series <SeriesInstanceUID> to analyse it.`;
  }
  if (userChoice && !choice.readerChosen) {
    const listed = choice.classified.map((c) => `${c.headers.SeriesInstanceUID} (${c.classification.plane} ${c.classification.weighting}${c.classification.isLocalizer ? ', localizer' : ''})`).join(', ');
    throw new Error(`--series ${userChoice.seriesInstanceUid} is not a sagittal MR series of ${where} (series there: ${listed})`);
  }
  if (!choice.suitable || !choice.analysisSeries) throw new Error(`no series to analyse in ${where}: ${choice.message ?? 'no sagittal MR series'}`);
  const list = bySeries.get(choice.analysisSeries.SeriesInstanceUID)!;
  const volume = volumeFromInstances(list);
  const role = choice.analysisRole;
  const otherSeries: SourceSeriesRef[] = [];
  if (choice.sagittalT1 && choice.sagittalT1 !== choice.analysisSeries) otherSeries.push({ role: 'sagittal_t1', seriesInstanceUid: choice.sagittalT1.SeriesInstanceUID });
  const axial = choice.axialT2 && bySeries.get(choice.axialT2.SeriesInstanceUID);
  if (choice.axialT2) otherSeries.push({ role: 'axial_t2', seriesInstanceUid: choice.axialT2.SeriesInstanceUID });
  let axialT2: AxialSlice[] | undefined, axialT2Unavailable: string | undefined;
  try {
    axialT2 = axial?.flatMap(framesOf).map(axialSliceOf);
  } catch (e) {
    axialT2Unavailable = `the axial T2 images could not be read (${(e as Error).message})`;
  }
  let sagittalT1: SpineVolume | undefined;
  if (choice.sagittalT1 && choice.sagittalT1 !== choice.analysisSeries) {
    try {
      sagittalT1 = { ...withPixelSpacing(volumeFromInstances(bySeries.get(choice.sagittalT1.SeriesInstanceUID)!)), role: 'sagittal_t1' };
    } catch (e) {
      console.warn(`the sagittal T1 could not be read, foramina are measured on the analysed series: ${(e as Error).message}`);
    }
  }
  return {
    volume: { ...volume, role, ...(choice.statedWeighting ? { weightingStatedByReader: true } : {}) }, patientStudy: patientStudyFrom(list[0]), otherSeries, axialT2, axialT2Unavailable, sagittalT1,
    warnings: [...(otherStudies ? [otherStudies] : []), ...(choice.warnings ?? []), ...(volume.analysedSlicesNote ? [volume.analysedSlicesNote] : [])],
    description: `${volume.dims[2]} ${volume.dims[2] === 1 ? 'slice' : 'slices'} of '${volume.seriesDescription}'${axialT2 ? ` and ${axialT2.length} axial T2 images` : ''}${sagittalT1 ? ` and a sagittal T1 of ${sagittalT1.dims[2]} slices` : ''} from ${where}`,
  };
}

/**
 * NIfTI file → volume with the importer's deterministic UIDs and patient attributes, weighted as the importer labels
 * its source (a vb3 T1 is analysed as a sagittal T1, as in the viewer). A file from a source the importer does not know
 * carries no weighting: `statedWeighting` (analyze --weighting) then says what it is, as a reader states it in the
 * panel, and every grade it affects says so; a source that gives a weighting keeps it (a warning says the stated one
 * was not used).
 */
export function readNiftiInput(path: string, statedWeighting?: 't2' | 't1'): AnalysisInput {
  const volume = readNiftiCase(path);
  const series = niftiToSeries(path);
  const first = fromPart10(series.instances[0]);
  const headers = seriesHeadersFrom(volume.seriesInstanceUid, [first], series.instances.length);
  const classification = classifySeries(headers);
  const mayState = readerMayStateWeighting({ headers, classification });
  const stated = mayState ? statedWeighting : undefined;
  const role = stated ? (`sagittal_${stated}` as const) : classification.role;
  const warnings = stated
    ? [`You stated that ${path} is ${stated.toUpperCase()}-weighted (--weighting); its source gives no weighting. It is analysed as ${stated.toUpperCase()}${stated === 't2' ? ', and each disc classifier grade says the weighting was stated by you' : ''}.`]
    : statedWeighting
      ? [`--weighting ${statedWeighting} not used: ${path} comes from a source the importer knows, whose weighting is ${classification.weighting}.`]
      : mayState
        ? [`${path} gives no weighting (a NIfTI file from a source the importer does not know): grades that read T2 or T1 signal are not assessable. If you know its weighting, say so with --weighting t2 or --weighting t1.`]
        : [];
  return {
    volume: { ...volume, ...(role.startsWith('sagittal') || role === 'other' ? { role } : {}), ...(stated ? { weightingStatedByReader: true } : {}) },
    patientStudy: patientStudyFrom(first), description: `${path} (${volume.dims.join('×')}, UIDs as \`npm run import\`)`,
    warnings,
  };
}

/**
 * NIfTI file or DICOM folder.
 * @param userChoice for a DICOM folder, the series to analyse (readDicomFolder); refused for a NIfTI file, which holds one.
 * @param niftiWeighting for a NIfTI file, its weighting where its source gives none (readNiftiInput); refused for a folder.
 */
export function readAnalysisInput(path: string, userChoice?: ReaderSeriesChoice, niftiWeighting?: 't2' | 't1'): AnalysisInput {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`input ${path} does not exist`);
  }
  if (st.isDirectory()) {
    if (niftiWeighting) throw new Error(`--weighting without --series is for a NIfTI file; in the DICOM folder ${path}, name the series it describes with --series`);
    return readDicomFolder(path, userChoice);
  }
  if (userChoice) throw new Error(`--series and --weighting choose among the series of a DICOM folder; ${path} is not a folder`);
  if (/\.nii(\.gz)?$/i.test(path)) return readNiftiInput(path, niftiWeighting);
  // A SPIDER-style PNG holds no PixelSpacing; the importer takes it from series.csv and writes DICOM this reads.
  if (/\.png$/i.test(path)) throw new Error(`input ${path} is a PNG, which holds no PixelSpacing: write it as DICOM first, with series.csv beside it (npm run import -- --out <dir> ${path}), then analyse that folder (npm run analyze -- --input <dir> …)`);
  throw new Error(`input ${path} is neither a NIfTI file (.nii/.nii.gz) nor a folder of DICOM files`);
}
