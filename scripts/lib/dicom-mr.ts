/**
 * Writes a SpineVolume as a single-frame MR Image Storage series (one Part 10 instance per slice k),
 * uncompressed Explicit VR Little Endian, 16-bit unsigned, with dcmjs.
 *
 * Geometry (DICOM PS3.3 C.7.6.2): Rows/Columns = dims[1]/dims[0]; ImageOrientationPatient =
 * rowDirection \ columnDirection; ImagePositionPatient of instance k = voxelToLps(v, 0, 0, k) (centre
 * of its first pixel, LPS mm); PixelSpacing = [row spacing, column spacing] = [spacingMm[1], spacingMm[0]];
 * SliceThickness and SpacingBetweenSlices = spacingMm[2] unless given. Pixel (row j, column i) of
 * instance k = voxels[i + j*cols + k*cols*rows] (the SpineVolume order is DICOM's pixel order).
 */
import dcmjs from 'dcmjs';
import { voxelToLps, type SpineVolume } from '../../extension/src/pipeline/volume';
import { deterministicUid } from './uids';

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Implementation Class UID of this importer (deterministic 2.25 UID of the key "importer"). */
export const IMPLEMENTATION_CLASS_UID = deterministicUid('importer');

/**
 * Nominal acquisition attributes for a sequence family. The research sources give the sequence
 * type but not these values; they are typical values (so viewers and our series classifier see the
 * right weighting), and ImageComments says so.
 */
export interface SequencePreset {
  /** Human-readable, used in SeriesDescription, e.g. 'T2 TSE'. */
  label: string;
  /** ScanningSequence (0018,0020): SE, GR, IR, … */
  scanningSequence: string[];
  /** SequenceVariant (0018,0021): SK, SP, NONE, … */
  sequenceVariant: string[];
  mrAcquisitionType: '2D' | '3D';
  repetitionTimeMs?: number;
  echoTimeMs?: number;
  flipAngleDeg?: number;
  echoTrainLength?: number;
}

export const SEQUENCES = {
  t1Ffe: { label: 'T1 FFE', scanningSequence: ['GR'], sequenceVariant: ['SP'], mrAcquisitionType: '2D', repetitionTimeMs: 400, echoTimeMs: 4.6, flipAngleDeg: 70 },
  t1Tse: { label: 'T1 TSE', scanningSequence: ['SE'], sequenceVariant: ['SK'], mrAcquisitionType: '2D', repetitionTimeMs: 600, echoTimeMs: 10, flipAngleDeg: 90, echoTrainLength: 4 },
  t2Tse: { label: 'T2 TSE', scanningSequence: ['SE'], sequenceVariant: ['SK'], mrAcquisitionType: '2D', repetitionTimeMs: 3500, echoTimeMs: 100, flipAngleDeg: 90, echoTrainLength: 16 },
  t2Space: { label: 'T2 SPACE', scanningSequence: ['SE'], sequenceVariant: ['SK'], mrAcquisitionType: '3D', repetitionTimeMs: 1500, echoTimeMs: 120, echoTrainLength: 60 },
  /** Mixed or unknown weighting: no timing attributes, so nothing claims a weighting. */
  unknown: { label: 'sequence not given', scanningSequence: ['RM'], sequenceVariant: ['NONE'], mrAcquisitionType: '2D' },
} satisfies Record<string, SequencePreset>;

/** DICOM identity and description of the series to write. */
export interface MrSeriesInfo {
  patientName: string;
  patientId: string;
  studyInstanceUid: string;
  studyDescription: string;
  studyId: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  seriesDescription: string;
  frameOfReferenceUid: string;
  /** SOPInstanceUID of slice k. */
  sopInstanceUid: (k: number) => string;
  sequence: SequencePreset;
  manufacturer?: string;
  manufacturerModelName?: string;
  magneticFieldStrengthT?: number;
  /** Overrides spacingMm[2] as SliceThickness (e.g. SPIDER's acquired 3 mm on a single slice). */
  sliceThicknessMm?: number;
  bodyPartExamined?: string;
  /** Provenance text for ImageComments (≤ 10240 chars). */
  comments: string;
}

/** Number with at most 6 decimals and no -0, for DS values (≤ 16 characters). */
function ds(x: number): number {
  const r = Number(x.toFixed(6));
  return r === 0 ? 0 : r;
}

/** 16-bit pixel values: the voxels as they are when all are integers in 0..65535, else linearly mapped to 0..4095. */
export function toUint16(voxels: Float32Array): { pixels: Uint16Array; rescaled: boolean } {
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let i = 0; i < voxels.length; i++) {
    const v = voxels[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  const pixels = new Uint16Array(voxels.length);
  if (integral && min >= 0 && max <= 65535) {
    pixels.set(voxels);
    return { pixels, rescaled: false };
  }
  const scale = max > min ? 4095 / (max - min) : 0;
  for (let i = 0; i < voxels.length; i++) pixels[i] = Math.round((voxels[i] - min) * scale);
  return { pixels, rescaled: true };
}

/** Window from the 1st..99.5th percentile of a sample of pixels (a readable default display). */
function defaultWindow(pixels: Uint16Array): { center: number; width: number } {
  const step = Math.max(1, Math.floor(pixels.length / 200000));
  const sample: number[] = [];
  for (let i = 0; i < pixels.length; i += step) sample.push(pixels[i]);
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(sample.length * 0.01)] ?? 0;
  const hi = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.995))] ?? 1;
  const width = Math.max(1, hi - lo);
  return { center: ds(lo + width / 2), width: ds(width) };
}

/**
 * One Part 10 MR instance per slice of `v`.
 * @returns ArrayBuffers in slice order k = 0..dims[2]-1 (InstanceNumber = k + 1).
 * @throws Error when the volume is empty or its voxel count does not match dims.
 */
export function mrSeriesToPart10(v: SpineVolume, info: MrSeriesInfo): ArrayBuffer[] {
  const [cols, rows, slices] = v.dims;
  if (cols * rows * slices === 0 || v.voxels.length !== cols * rows * slices) {
    throw new Error(`Volume dims ${v.dims.join('×')} do not match ${v.voxels.length} voxels`);
  }
  const { pixels, rescaled } = toUint16(v.voxels);
  const win = defaultWindow(pixels);
  const seq = info.sequence;
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const out: ArrayBuffer[] = [];
  for (let k = 0; k < slices; k++) {
    const sopInstanceUid = info.sopInstanceUid(k);
    const ipp = voxelToLps(v, 0, 0, k).map(ds);
    const framePixels = pixels.slice(k * rows * cols, (k + 1) * rows * cols);
    const dataset: Record<string, unknown> = {
      SpecificCharacterSet: 'ISO_IR 192',
      ImageType: ['DERIVED', 'PRIMARY', 'OTHER'],
      SOPClassUID: MR_IMAGE_STORAGE,
      SOPInstanceUID: sopInstanceUid,
      StudyDate: '',
      StudyTime: '',
      AccessionNumber: '',
      Modality: 'MR',
      Manufacturer: info.manufacturer ?? '',
      ReferringPhysicianName: '',
      StudyDescription: info.studyDescription,
      SeriesDescription: info.seriesDescription,
      ManufacturerModelName: info.manufacturerModelName ?? '',
      PatientName: info.patientName,
      PatientID: info.patientId,
      PatientBirthDate: '',
      PatientSex: '',
      BodyPartExamined: info.bodyPartExamined ?? 'LSPINE',
      ScanningSequence: seq.scanningSequence,
      SequenceVariant: seq.sequenceVariant,
      ScanOptions: '',
      MRAcquisitionType: seq.mrAcquisitionType,
      SliceThickness: ds(info.sliceThicknessMm ?? v.spacingMm[2]),
      // Type 2 in the MR Image module: present, empty when unknown.
      RepetitionTime: seq.repetitionTimeMs ?? '',
      EchoTime: seq.echoTimeMs ?? '',
      EchoTrainLength: seq.echoTrainLength ?? '',
      ...(info.magneticFieldStrengthT !== undefined ? { MagneticFieldStrength: info.magneticFieldStrengthT } : {}),
      SpacingBetweenSlices: ds(v.spacingMm[2]),
      ...(seq.flipAngleDeg !== undefined ? { FlipAngle: seq.flipAngleDeg } : {}),
      PatientPosition: 'HFS',
      StudyInstanceUID: info.studyInstanceUid,
      SeriesInstanceUID: info.seriesInstanceUid,
      StudyID: info.studyId,
      SeriesNumber: info.seriesNumber,
      InstanceNumber: k + 1,
      ImagePositionPatient: ipp,
      ImageOrientationPatient: [...v.rowDirection, ...v.columnDirection].map(ds),
      FrameOfReferenceUID: info.frameOfReferenceUid,
      PositionReferenceIndicator: '',
      ImageComments: info.comments + (rescaled ? ' Intensities linearly rescaled to 0..4095.' : ''),
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: rows,
      Columns: cols,
      PixelSpacing: [ds(v.spacingMm[1]), ds(v.spacingMm[0])],
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 0,
      WindowCenter: win.center,
      WindowWidth: win.width,
      PixelData: [framePixels.buffer],
      _vrMap: { PixelData: 'OW' },
    };
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: MR_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: sopInstanceUid,
      TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
      ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: 'SPINEMRI_0_1',
    };
    const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
    out.push(dict.write());
  }
  return out;
}
