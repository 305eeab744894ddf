/**
 * SpineVolume: one MR series as a 3D voxel grid in DICOM patient coordinates (LPS, mm).
 * Framework-free: used in the browser (from OHIF's cache) and in Node (from NIfTI or DICOM files).
 */

export type Vec3 = [number, number, number];

/** Acquisition role of a series, as the series classifier decides it. */
export type SeriesRole = 'sagittal_t2' | 'sagittal_t1' | 'sagittal_stir' | 'axial_t2' | 'other';

export interface SpineVolume {
  /**
   * Intensities, length columns*rows*slices. Index = i + j*columns + k*columns*rows where
   * i = column index (along rowDirection), j = row index (along columnDirection), k = slice index.
   */
  voxels: Float32Array;
  /** [columns, rows, slices] */
  dims: Vec3;
  /** [column spacing, row spacing, slice spacing] in mm: PixelSpacing is (row, column), so this is [PixelSpacing[1], PixelSpacing[0], spacing between slice centres]. */
  spacingMm: Vec3;
  /** ImagePositionPatient of slice k = 0 (centre of its first voxel), LPS mm. */
  originLps: Vec3;
  /** ImageOrientationPatient[0..2]: unit direction of increasing column index i, LPS. */
  rowDirection: Vec3;
  /** ImageOrientationPatient[3..5]: unit direction of increasing row index j, LPS. */
  columnDirection: Vec3;
  /** Unit direction of increasing slice index k, LPS (from successive ImagePositionPatient). */
  sliceDirection: Vec3;
  /** DICOM identity of the source, where known (empty strings for NIfTI/PNG input not yet in a PACS). */
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  /** SOPInstanceUID of each slice k (length = slices); empty for non-DICOM input. */
  sopInstanceUids: string[];
  /**
   * Frame number (1-based) of slice k within its instance, when the slices are frames of a multi-frame (Enhanced MR)
   * instance (sopInstanceUids then repeat one UID); absent for single-frame images.
   */
  frameNumbers?: number[];
  sopClassUid?: string;
  seriesDescription?: string;
  /** DICOM MRAcquisitionType: '2D' or '3D' (e.g. T2 SPACE); the disc classifier's evidence cautions on 3D. Absent when unknown. */
  mrAcquisitionType?: string;
  role?: SeriesRole;
  /** Why the series' images suppress fat (series.ts fatSuppression: T2 FS, SPAIR, Dixon water); the foramina are then not graded on it and the disc classifier's evidence cautions. */
  fatSuppression?: string;
  /** Why the series was taken after a contrast agent (series.ts postContrast): a T1 so is used for the foramina only where no plain T2 can be, with a caution. */
  postContrast?: string;
  /** The reader stated the weighting `role` names (its DICOM headers do not say): the disc classifier's evidence cautions. */
  weightingStatedByReader?: boolean;
  /** Set when the volume is only some of the series' slices, the evenly spaced ones (slice-run.ts): which, and why. */
  analysedSlicesNote?: string;
}

/** Voxel (i, j, k) → LPS mm. */
export function voxelToLps(v: SpineVolume, i: number, j: number, k: number): Vec3 {
  const [sx, sy, sz] = v.spacingMm;
  const out: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    out[a] = v.originLps[a] + v.rowDirection[a] * i * sx + v.columnDirection[a] * j * sy + v.sliceDirection[a] * k * sz;
  }
  return out;
}

/**
 * A study's other sagittal series (the T1 the foramina are read on) as it may be used: readers leave its spacing NaN
 * where the images hold no PixelSpacing, and a spacing is never assumed.
 * @throws Error 'it has no PixelSpacing (0028,0030), so nothing can be measured on it' when spacingMm is not finite.
 */
export function withPixelSpacing<V extends Pick<SpineVolume, 'spacingMm'>>(v: V): V {
  if (!v.spacingMm.every(Number.isFinite)) throw new Error('it has no PixelSpacing (0028,0030), so nothing can be measured on it');
  return v;
}

/** Flat index of voxel (i, j, k). */
export function voxelIndex(dims: Vec3, i: number, j: number, k: number): number {
  return i + j * dims[0] + k * dims[0] * dims[1];
}

/**
 * Labelmap in exactly the geometry of a SpineVolume: one value per voxel, same index order.
 * Value 0 = background, otherwise the segmentNumber of a SegmentInfo in the SpineReport.
 */
export interface Labelmap {
  dims: Vec3;
  values: Uint8Array;
}
