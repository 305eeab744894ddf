/**
 * Level names of a stored SEG, for drawing on the image (levelLabels.ts) when a study is reopened: the
 * vertebral-body segments ('L4 vertebral body', our SEG writer's SegmentLabel) and their centroids,
 * computed from the labelmap OHIF made of the SEG. OHIF's own segment centre is not used: its SEG
 * centroid divides the pixel index by Rows where Columns is meant (OHIF 3.13), wrong on non-square images.
 */
import type { SegmentInfo } from '../pipeline/report';
import type { Vec3 } from '../pipeline/volume';
import { getCornerstone } from './cornerstone';

/** What levelLabels draws for one vertebral body. */
export type LevelMark = Pick<SegmentInfo, 'kind' | 'level' | 'centroidLps' | 'readerModified'>;

/** One labelmap slice with its DICOM image plane (cornerstone's imagePlaneModule: LPS mm). */
export interface LabelmapSlice {
  /** Segment index per pixel, row-major: pixel (column i, row j) at i + j * columns. */
  values: ArrayLike<number>;
  columns: number;
  imagePositionPatient: number[];
  /** Direction of increasing column index i (DICOM ImageOrientationPatient[0..2]). */
  rowCosines: number[];
  /** Direction of increasing row index j (ImageOrientationPatient[3..5]). */
  columnCosines: number[];
  /** PixelSpacing[0]: distance between rows, mm. */
  rowPixelSpacing: number;
  /** PixelSpacing[1]: distance between columns, mm. */
  columnPixelSpacing: number;
}

/** Centroid (LPS mm) of every non-zero segment index over the given slices. */
export function segmentCentroidsLps(slices: LabelmapSlice[]): Map<number, Vec3> {
  const sums = new Map<number, [number, number, number, number]>();
  for (const s of slices) {
    for (let p = 0; p < s.values.length; p++) {
      const v = s.values[p];
      if (!v) continue;
      const i = p % s.columns, j = Math.floor(p / s.columns);
      const acc = sums.get(v) ?? [0, 0, 0, 0];
      for (let a = 0; a < 3; a++) acc[a] += s.imagePositionPatient[a] + s.rowCosines[a] * i * s.columnPixelSpacing + s.columnCosines[a] * j * s.rowPixelSpacing;
      acc[3]++;
      sums.set(v, acc);
    }
  }
  return new Map([...sums].map(([v, [x, y, z, n]]) => [v, [x / n, y / n, z / n] as Vec3]));
}

const BODY_LABEL = /^(\S+) vertebral body$/;

/**
 * The named vertebral bodies among a SEG's segments. A segment the reader renamed was stored with
 * SegmentAlgorithmType SEMIAUTOMATIC (seg.ts), so it is drawn as reader-modified. Bodies without voxels
 * (no centroid) are left out.
 * @param segments OHIF's segments of the loaded SEG, by segment index
 */
export function levelMarksFromSegments(
  segments: Record<string, { label?: string; cachedStats?: { algorithmType?: string } } | undefined>,
  centroids: Map<number, Vec3>,
): LevelMark[] {
  const marks: LevelMark[] = [];
  for (const [index, seg] of Object.entries(segments)) {
    const level = BODY_LABEL.exec(seg?.label ?? '')?.[1];
    const centroidLps = centroids.get(Number(index));
    if (!level || !centroidLps) continue;
    marks.push({ kind: 'vertebral_body', level, centroidLps, ...(seg?.cachedStats?.algorithmType === 'SEMIAUTOMATIC' ? { readerModified: true } : {}) });
  }
  return marks;
}

/** The labelmap slices of an OHIF segmentation (derived images in cornerstone's cache, planes of the images they derive from). */
export function ohifLabelmapSlices(segmentation: { representationData?: { Labelmap?: { imageIds?: string[] } } }): LabelmapSlice[] {
  const { core } = getCornerstone();
  const slices: LabelmapSlice[] = [];
  for (const id of segmentation.representationData?.Labelmap?.imageIds ?? []) {
    const image = core.cache.getImage(id);
    const plane = image && core.metaData.get('imagePlaneModule', image.referencedImageId ?? id);
    if (!plane?.imagePositionPatient || !plane.rowCosines || !plane.columnCosines || !plane.rowPixelSpacing || !plane.columnPixelSpacing) continue;
    slices.push({
      values: image.voxelManager?.getScalarData?.() ?? image.getPixelData(),
      columns: image.columns ?? plane.columns,
      imagePositionPatient: plane.imagePositionPatient,
      rowCosines: plane.rowCosines,
      columnCosines: plane.columnCosines,
      rowPixelSpacing: plane.rowPixelSpacing,
      columnPixelSpacing: plane.columnPixelSpacing,
    });
  }
  return slices;
}
