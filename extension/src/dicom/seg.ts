/**
 * DICOM Segmentation writer: SpineReport + Labelmap + source SpineVolume → Part 10 SEG
 * (Segmentation Storage 1.2.840.10008.5.1.4.1.1.66.4, SegmentationType BINARY, Explicit VR Little Endian; PS3.3 A.51,
 * C.8.20) — FRACTIONAL (OCCUPANCY, 0 or 255) in RLE Lossless where rows × columns is not a multiple of 8, as OHIF
 * misreads binary frames that start mid-byte.
 *
 * Geometry is exactly the source's: one frame per (segment, source slice k) where the segment has at
 * least one voxel in slice k (plus at most one empty frame, so that the uncompressed pixel data has an even length:
 * see buildSegDataset);
 * each frame carries the slice's ImagePositionPatient (LPS mm), the shared
 * ImageOrientationPatient and PixelSpacing, and a DerivationImageSequence/SourceImageSequence naming the
 * source slice's SOP Instance UID. Frames are ordered by segment number, then slice index k.
 * Encoded with dcmjs (naturalized dataset → denaturalizeDataset → DicomDict.write).
 */
import { data as dcmData, utilities as dcmjsUtilities, type NaturalDataset } from 'dcmjs';
import type { Labelmap, SpineVolume } from '../pipeline/volume';
import { voxelToLps } from '../pipeline/volume';
import type { SegmentInfo, SpineReport } from '../pipeline/report';
import { PRIVATE_SCHEME } from './codes';
import { segmentCoding } from './segment-codes';
import { segmentColors } from '../segment-colors';
import { patientStudyElements } from './patient-study';
import { EXPLICIT_VR_LITTLE_ENDIAN, MR_IMAGE_SOP_CLASS_UID, RLE_LOSSLESS, SEG_SOP_CLASS_UID, dicomDateTime, newUid, toPart10, type NewInstanceOptions } from './uids';

export interface WriteSegOptions extends NewInstanceOptions {
  manufacturer?: string;
}

/** Round to 1e-6 so DS values stay ≤ 16 characters. */
export function ds(x: number): number {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
}

/** Series description for a version: 'Spine MRI SEG v2'. */
export function segSeriesDescription(version: number): string {
  return `Spine MRI SEG v${version}`;
}

/** segSeriesDescription's form: group 1 is the version. */
export const SEG_SERIES_DESCRIPTION = /^Spine MRI SEG v(\d+)$/;

/** The elements that say which result version a SEG is, and when it was made (the writer's, and a stored SEG carried into a new version). */
export function segVersionElements(version: number, now: Date): NaturalDataset {
  const { date, time } = dicomDateTime(now);
  return {
    SeriesNumber: 9000 + version,
    SeriesDescription: segSeriesDescription(version),
    ContentDescription: `Spine segmentation v${version}`.slice(0, 64),
    SeriesDate: date,
    SeriesTime: time,
    ContentDate: date,
    ContentTime: time,
  };
}

/** SegmentDescription notes (Type 3): what a viewer should know of how the segment was made; read back by storedSegments.ts. */
export const SEGMENT_NOTES = {
  inferred: 'disc space inferred by rule; not segmented by the network',
  outlineCorrected: 'outline corrected by the reader',
  renamed: 'renamed by the reader',
} as const;

/**
 * The elements of a SegmentSequence item that follow the segment's name (kind + level) and making: label, tracking
 * ID, type and anatomic region codes, SEMIAUTOMATIC when the reader renamed it or corrected its outline, and a
 * SegmentDescription saying which (SEGMENT_NOTES; "renamed" is written only beside "outline corrected", where
 * SEMIAUTOMATIC alone would not tell). Also used to rename the segments of a stored SEG (seg-revision.ts).
 */
export function segmentNaming(s: SegmentInfo): NaturalDataset {
  const coding = segmentCoding(s);
  const notes = [
    ...(s.inferred ? [SEGMENT_NOTES.inferred] : []),
    ...(s.outlineCorrected ? [SEGMENT_NOTES.outlineCorrected] : []),
    ...(s.outlineCorrected && s.readerModified ? [SEGMENT_NOTES.renamed] : []),
  ];
  return {
    SegmentLabel: s.label.slice(0, 64),
    SegmentAlgorithmType: s.readerModified || s.outlineCorrected ? 'SEMIAUTOMATIC' : 'AUTOMATIC',
    SegmentedPropertyTypeCodeSequence: [coding.type],
    TrackingID: s.label.slice(0, 64),
    ...(coding.anatomicRegion ? { AnatomicRegionSequence: [coding.anatomicRegion] } : {}),
    ...(notes.length ? { SegmentDescription: notes.join('; ') } : {}),
  };
}

function checkInputs(report: SpineReport, labelmap: Labelmap, v: SpineVolume): void {
  const [nx, ny, nz] = v.dims;
  if (labelmap.dims.some((d, i) => d !== v.dims[i])) {
    throw new Error(`writeSeg: labelmap dims ${labelmap.dims.join('x')} differ from source volume dims ${v.dims.join('x')}`);
  }
  if (labelmap.values.length !== nx * ny * nz) {
    throw new Error(`writeSeg: labelmap has ${labelmap.values.length} values, expected ${nx * ny * nz}`);
  }
  if (v.sopInstanceUids.length !== nz || v.sopInstanceUids.some((u) => !u)) {
    throw new Error('writeSeg: the source volume has no SOP Instance UID for every slice (import the series as DICOM first)');
  }
  const images = new Set(v.sopInstanceUids.map((u, k) => `${u} ${v.frameNumbers?.[k] ?? ''}`));
  if (images.size !== nz) {
    // Slices sharing one SOP Instance UID are frames of a multi-frame (Enhanced MR) image: each needs its frame number.
    throw new Error('writeSeg: slices share a SOP Instance UID (frames of a multi-frame image) without a frame number each (SpineVolume.frameNumbers)');
  }
  if (!v.studyInstanceUid || !v.seriesInstanceUid || !v.frameOfReferenceUid) {
    throw new Error('writeSeg: the source volume lacks StudyInstanceUID, SeriesInstanceUID or FrameOfReferenceUID');
  }
  const numbers = new Set<number>();
  for (const s of report.segments) {
    if (!Number.isInteger(s.segmentNumber) || s.segmentNumber < 1 || s.segmentNumber > 255) {
      throw new Error(`writeSeg: segmentNumber ${s.segmentNumber} of '${s.label}' is not an integer 1..255`);
    }
    if (numbers.has(s.segmentNumber)) throw new Error(`writeSeg: segmentNumber ${s.segmentNumber} used twice`);
    numbers.add(s.segmentNumber);
  }
}

/**
 * Builds the binary SEG.
 * @param report segments (1..N = labelmap values) and model identity
 * @param labelmap values in the source's voxel order (i + j*columns + k*columns*rows)
 * @param sourceVolume geometry and SOP Instance UIDs of the source slices (DICOM LPS)
 * @throws Error when dims differ, source UIDs are missing, or segment numbers are invalid
 */
export function writeSeg(report: SpineReport, labelmap: Labelmap, sourceVolume: SpineVolume, opts: WriteSegOptions = {}): ArrayBuffer {
  const seg = buildSegDataset(report, labelmap, sourceVolume, opts);
  // buildSegDataset RLE-encodes the frames of a FRACTIONAL SEG.
  return toPart10(seg, seg.SegmentationType === 'FRACTIONAL' ? RLE_LOSSLESS : EXPLICIT_VR_LITTLE_ENDIAN);
}

/** A FRACTIONAL SEG's value for a pixel in the segment (buildSegDataset): full occupancy; outside it, 0. */
export const MAX_FRACTIONAL_VALUE = 255;

/** The image pixel and segmentation type elements of the FRACTIONAL SEGs this software writes (one byte per pixel). */
export const FRACTIONAL_ELEMENTS = {
  SegmentationType: 'FRACTIONAL', SegmentationFractionalType: 'OCCUPANCY', MaximumFractionalValue: MAX_FRACTIONAL_VALUE,
  BitsAllocated: 8, BitsStored: 8, HighBit: 7,
} as const;

/**
 * Whether a BINARY SEG's frames of these images would start mid-byte (rows × columns not a multiple of 8: PS3.5 8.1.1
 * packs frames bit to bit), which OHIF 3.13 misreads: this software writes such SEGs FRACTIONAL (buildSegDataset).
 */
export function binaryFramesStartMidByte(rows: number, columns: number): boolean {
  return (rows * columns) % 8 !== 0;
}

/**
 * Why OHIF 3.13 would draw a stored SEG wrongly although it is valid DICOM: a BINARY SEG whose frames are not whole
 * bytes (rows × columns not a multiple of 8), as this software stored them until 2026-12-06 — OHIF paints it shifted,
 * or does not open it (buildSegDataset). undefined when it can be shown. analyze:pacs names it when it skips a study;
 * reviseSeg rewrites it as this build would.
 * @param header the SEG's SegmentationType (0062,0001), Rows and Columns, as its WADO-RS metadata holds them
 */
export function storedSegDrawnShifted(header: { SegmentationType?: unknown; Rows?: unknown; Columns?: unknown }): string | undefined {
  const rows = Number(header.Rows), columns = Number(header.Columns);
  if (header.SegmentationType !== 'BINARY' || !(rows > 0 && columns > 0) || !binaryFramesStartMidByte(rows, columns)) return undefined;
  return `it is a binary SEG of ${rows} × ${columns}-pixel images, whose frames start mid-byte (as earlier builds of this software stored them), and the viewer would draw its outlines shifted`;
}

/**
 * storedSegDrawnShifted with what the reader does about it: why the viewer leaves the stored SEG off the image. A change
 * to the findings saved as a new version stores the same outlines as a SEG it shows (seg-revision.ts reviseSeg).
 */
export function storedSegNotShowable(header: { SegmentationType?: unknown; Rows?: unknown; Columns?: unknown }): string | undefined {
  const why = storedSegDrawnShifted(header);
  return why && `${why}; a change to these findings saved as a new version stores the same outlines in a form it shows (or press Analyze, then Save to PACS)`;
}

/** The naturalized SEG dataset (exposed for tests). */
export function buildSegDataset(report: SpineReport, labelmap: Labelmap, v: SpineVolume, opts: WriteSegOptions = {}): NaturalDataset {
  checkInputs(report, labelmap, v);
  const [nx, ny, nz] = v.dims;
  const version = opts.version ?? 1;
  const sourceClass = v.sopClassUid ?? MR_IMAGE_SOP_CLASS_UID;
  const algorithmName = `${report.model.name} ${report.model.version}`.slice(0, 64);
  const segments = [...report.segments].sort((a, b) => a.segmentNumber - b.segmentNumber);

  // Which slices each segment occupies.
  const present = new Map<number, boolean[]>();
  for (const s of segments) present.set(s.segmentNumber, new Array<boolean>(nz).fill(false));
  const sliceSize = nx * ny;
  for (let k = 0; k < nz; k++) {
    const base = k * sliceSize;
    for (let p = 0; p < sliceSize; p++) {
      const val = labelmap.values[base + p];
      if (val !== 0) {
        const row = present.get(val);
        if (row) row[k] = true;
      }
    }
  }

  const frames: { seg: number; k: number }[] = [];
  for (const s of segments) present.get(s.segmentNumber)!.forEach((has, k) => has && frames.push({ seg: s.segmentNumber, k }));
  if (frames.length === 0) throw new Error('writeSeg: the labelmap contains none of the report\'s segments (nothing to store)');
  // A BINARY SEG packs its frames bit to bit (PS3.5 8.1.1), so where a frame is not whole bytes (rows × columns not a
  // multiple of 8: ivd_11's 221 × 165) frames start mid-byte; OHIF 3.13 decodes such a SEG frame by frame and paints it
  // sheared, and Orthanc refuses to serve its single frames (400). Those SEGs are written FRACTIONAL instead (OCCUPANCY,
  // one byte per pixel, 0 or MAX_FRACTIONAL_VALUE), which OHIF loads as binary, in RLE Lossless (dcmjs's encoder), which
  // makes them smaller than the BINARY one would be (ivd_11: 0.8 MB against 2.4 MB; uncompressed FRACTIONAL 19.7 MB).
  const fractional = binaryFramesStartMidByte(ny, nx);
  // OHIF's SEG loading (dcmjs's frame reader, and OHIF 3.13's whole-instance prefetch) expects uncompressed pixel data to
  // be exactly frames × bytes per frame, and refuses the pad byte DICOM adds to an odd length ("Invalid frame length",
  // "The calculated length … does not match the actual length"), so the SEG does not open. Where the length would be
  // odd — uncompressed, or as a PACS decompresses the RLE of a FRACTIONAL SEG — an empty frame (a segment on a slice it
  // does not reach) makes it even. (Not possible when every segment is on every slice; then the pad byte stays.)
  const packedBytes = (n: number) => (fractional ? n * sliceSize : (n * sliceSize) / 8);
  if (packedBytes(frames.length) % 2 === 1) {
    const empty = segments.map((s) => ({ seg: s.segmentNumber, k: present.get(s.segmentNumber)!.indexOf(false) })).find((f) => f.k >= 0);
    if (empty) {
      const at = frames.findIndex((f) => f.seg > empty.seg || (f.seg === empty.seg && f.k > empty.k));
      frames.splice(at < 0 ? frames.length : at, 0, empty);
    }
  }

  // BINARY: frames back to back, pixel n of the whole pixel data at bit n%8 of byte n>>3 (PS3.5 8.1.1). FRACTIONAL: byte n.
  const packed = packedBytes(frames.length);
  const bytes = new Uint8Array(packed + (packed % 2));
  frames.forEach((f, fi) => {
    const base = f.k * sliceSize;
    const off = fi * sliceSize;
    for (let p = 0; p < sliceSize; p++) {
      if (labelmap.values[base + p] === f.seg) {
        const n = off + p;
        if (fractional) bytes[n] = MAX_FRACTIONAL_VALUE;
        else bytes[n >> 3] |= 1 << (n & 7);
      }
    }
  });

  const dimOrgUid = newUid();
  const purposeSource = [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }];
  const perFrame = frames.map((f) => ({
    DerivationImageSequence: [
      {
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: sourceClass, ReferencedSOPInstanceUID: v.sopInstanceUids[f.k],
            ...(v.frameNumbers ? { ReferencedFrameNumber: v.frameNumbers[f.k] } : {}),
            PurposeOfReferenceCodeSequence: purposeSource,
          },
        ],
        DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
      },
    ],
    FrameContentSequence: [{ DimensionIndexValues: [f.seg, f.k + 1] }],
    PlanePositionSequence: [{ ImagePositionPatient: voxelToLps(v, 0, 0, f.k).map(ds) }],
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.seg }],
  }));

  const colors = segmentColors(segments); // as the viewer painted them (segment-colors.ts)
  const segmentSequence = segments.map((s) => {
    const coding = segmentCoding(s);
    const item: NaturalDataset = {
      SegmentNumber: s.segmentNumber,
      ...segmentNaming(s),
      SegmentAlgorithmName: algorithmName,
      SegmentedPropertyCategoryCodeSequence: [coding.category],
      RecommendedDisplayCIELabValue: (dcmData as any).Colors.rgb2DICOMLAB(colors.get(s.segmentNumber)!.slice(0, 3).map((x) => x / 255)).map((x: number) => Math.round(x)),
      TrackingUID: newUid(),
    };
    return item;
  });

  const seriesUid = opts.seriesInstanceUid ?? newUid();
  const sopUid = opts.sopInstanceUid ?? newUid();
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SEG_SOP_CLASS_UID,
    SOPInstanceUID: sopUid,
    ...patientStudyElements(opts.patientStudy),
    StudyInstanceUID: v.studyInstanceUid,
    Modality: 'SEG',
    SeriesInstanceUID: seriesUid,
    ...segVersionElements(version, opts.now ?? new Date()),
    ...(opts.seriesNumber !== undefined ? { SeriesNumber: opts.seriesNumber } : {}),
    FrameOfReferenceUID: v.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    Manufacturer: opts.manufacturer ?? report.software.name,
    ManufacturerModelName: report.model.name.slice(0, 64),
    DeviceSerialNumber: report.model.sha256 ? report.model.sha256.slice(0, 16) : '0',
    SoftwareVersions: [report.software.version, report.model.version],
    InstanceNumber: 1,
    ContentLabel: 'SPINE',
    ContentCreatorName: '',
    ImageType: ['DERIVED', 'PRIMARY'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    ...(fractional ? FRACTIONAL_ELEMENTS : { SegmentationType: 'BINARY', BitsAllocated: 1, BitsStored: 1, HighBit: 0 }),
    NumberOfFrames: frames.length,
    CodingSchemeIdentificationSequence: [{ ...PRIVATE_SCHEME }],
    SegmentSequence: segmentSequence,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimOrgUid }],
    DimensionIndexSequence: [
      // AT values as numbers: ReferencedSegmentNumber (0062,000B) in SegmentIdentificationSequence (0062,000A)
      { DimensionOrganizationUID: dimOrgUid, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      // ImagePositionPatient (0020,0032) in PlanePositionSequence (0020,9113)
      { DimensionOrganizationUID: dimOrgUid, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: [...v.rowDirection, ...v.columnDirection].map(ds) }],
        PixelMeasuresSequence: [
          {
            PixelSpacing: [ds(v.spacingMm[1]), ds(v.spacingMm[0])],
            SliceThickness: ds(v.spacingMm[2]),
            SpacingBetweenSlices: ds(v.spacingMm[2]),
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: v.seriesInstanceUid,
        // Each instance once: the frames of a multi-frame source are one instance.
        ReferencedInstanceSequence: [...new Set(v.sopInstanceUids)].map((u) => ({ ReferencedSOPClassUID: sourceClass, ReferencedSOPInstanceUID: u })),
      },
    ],
    PixelData: fractional ? dcmjsUtilities.compression.encode(bytes.buffer, frames.length, ny, nx) : bytes.buffer,
    _vrMap: { PixelData: 'OB' },
  };
}
