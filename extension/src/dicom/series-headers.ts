/**
 * The DICOM attributes the series classifier reads (pipeline/series.ts SeriesHeaders), from the instances of
 * one series as DICOM JSON-style natural datasets (dcmjs naturalized, or OHIF's instance metadata: same
 * keywords). One reader for the viewer (ohif/headers.ts) and the CLI (scripts/analyze-input.ts).
 *
 * Enhanced (multi-frame) MR (PS3.3 C.8.13) keeps the per-frame attributes in functional groups, not at the top
 * level: ImageOrientationPatient in PlaneOrientationSequence, the echo time as EffectiveEchoTime in
 * MREchoSequence, RepetitionTime in MRTimingAndRelatedParametersSequence, InversionTimes in
 * MRModifierSequence — shared by all frames (SharedFunctionalGroupsSequence) or per frame (the first frame's
 * is read here). A top-level value wins; the groups only fill what is missing, so a classic series reads as before.
 */
import { planeFromOrientation, type SeriesHeaders } from '../pipeline/series';

type Dataset = Record<string, any>;

/** The first item of a sequence attribute (natural form: an array of datasets, or one dataset). */
function firstItem(v: unknown): Dataset | undefined {
  const item = Array.isArray(v) ? v[0] : v;
  return item && typeof item === 'object' ? (item as Dataset) : undefined;
}

/**
 * `attribute` inside `sequence` of frame `frameIndex`'s functional groups (0-based), else of the shared ones; undefined
 * when neither has it (a functional group is either per-frame or shared, PS3.3 C.7.6.16).
 */
export function functionalGroupValue(ds: Dataset, sequence: string, attribute: string, frameIndex = 0): unknown {
  const perFrame = ds.PerFrameFunctionalGroupsSequence;
  for (const groups of [Array.isArray(perFrame) ? perFrame[frameIndex] : perFrame, ds.SharedFunctionalGroupsSequence]) {
    const v = firstItem(firstItem(groups)?.[sequence])?.[attribute];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** A multi-valued attribute as numbers ('0\\1\\0' or [0, 1, 0]); [] when absent. */
function numbers(v: unknown): number[] {
  if (v === undefined || v === null || v === '') return [];
  return (typeof v === 'string' ? v.split('\\') : Array.from(v as ArrayLike<unknown>)).map(Number);
}

/** The first value of a multi-valued attribute (InversionTimes may hold several). */
function firstValue(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : typeof v === 'string' && v.includes('\\') ? v.split('\\')[0] : v;
}

/** ImageOrientationPatient of one instance: top level, else the Enhanced MR plane orientation functional group. */
export function orientationOf(ds: Dataset): SeriesHeaders['ImageOrientationPatient'] {
  return ds.ImageOrientationPatient ?? (functionalGroupValue(ds, 'PlaneOrientationSequence', 'ImageOrientationPatient') as SeriesHeaders['ImageOrientationPatient']);
}

/** Each frame's own ImageOrientationPatient of a multi-frame instance (a 3-plane localizer may be one instance). */
function frameOrientations(ds: Dataset): unknown[] {
  const frames: unknown[] = Array.isArray(ds.PerFrameFunctionalGroupsSequence) ? ds.PerFrameFunctionalGroupsSequence : [];
  return frames.map((f) => firstItem(firstItem(f)?.PlaneOrientationSequence)?.ImageOrientationPatient).filter((o) => o !== undefined);
}

/** Whether the instance holds a PixelSpacing (0028,0030) of its own, at the top level or, Enhanced MR, in its pixel measures functional group. */
export function hasStoredPixelSpacing(instance: Dataset): boolean {
  const v = instance.PixelSpacing ?? functionalGroupValue(instance, 'PixelMeasuresSequence', 'PixelSpacing');
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

/**
 * @param instances the series' instances (any order; the first one's attributes are read).
 * @param numberOfSlices slices or frames of the series (a multi-frame series is one instance of many frames).
 */
export function seriesHeadersFrom(seriesInstanceUid: string, instances: Dataset[], numberOfSlices: number, series: Dataset = {}): SeriesHeaders {
  const first = instances[0] ?? {};
  const iop = orientationOf(first);
  const iop0 = numbers(iop);
  const orientations = instances.flatMap((i) => [orientationOf(i), ...frameOrientations(i)]);
  return {
    SeriesInstanceUID: seriesInstanceUid,
    Modality: series.Modality ?? first.Modality,
    SeriesDescription: series.SeriesDescription ?? first.SeriesDescription,
    SeriesNumber: series.SeriesNumber ?? first.SeriesNumber,
    ImageOrientationPatient: iop,
    EchoTime: first.EchoTime ?? (functionalGroupValue(first, 'MREchoSequence', 'EffectiveEchoTime') as number | undefined),
    RepetitionTime: first.RepetitionTime ?? (functionalGroupValue(first, 'MRTimingAndRelatedParametersSequence', 'RepetitionTime') as number | undefined),
    InversionTime: first.InversionTime ?? (firstValue(functionalGroupValue(first, 'MRModifierSequence', 'InversionTimes')) as number | undefined),
    ImageType: first.ImageType,
    ScanningSequence: first.ScanningSequence,
    MRAcquisitionType: first.MRAcquisitionType,
    BodyPartExamined: first.BodyPartExamined,
    StudyDescription: series.StudyDescription ?? first.StudyDescription,
    ScanOptions: first.ScanOptions,
    ContrastBolusAgent: first.ContrastBolusAgent,
    numberOfSlices,
    ...(instances.length && !hasStoredPixelSpacing(first) ? { pixelSpacingMissing: true } : {}),
    orientationsDiffer: orientations.some((o) => numbers(o).some((x, n) => !(Math.abs(x - iop0[n]) <= 1e-3))),
    planesDiffer: new Set(orientations.map((o) => planeFromOrientation(o as SeriesHeaders['ImageOrientationPatient']))).size > 1,
  };
}
