/**
 * The segments of a stored SEG as SegmentInfo, once OHIF has loaded it (study reopened): level names drawn
 * on the image again (levelLabels.ts) and a clicked level row jumping to its disc, as after an analysis.
 * Kind and level come from our SEG writer's SegmentLabel ('L4 vertebral body', 'L4/L5 disc'); centroids
 * (LPS mm) are computed here from the labelmap OHIF made of the SEG. OHIF's own SEG segment centre is not
 * used: it divides the pixel index by Rows where Columns is meant (OHIF 3.13), wrong on non-square images.
 */
import type { SegmentInfo } from '../pipeline/report';
import type { Vec3 } from '../pipeline/volume';
import { getCornerstone } from './cornerstone';
import { SEGMENT_NOTES } from '../dicom/seg';

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

/** Centroid (LPS mm) and pixel count of every non-zero segment index over the given slices. */
export function segmentStatsLps(slices: LabelmapSlice[]): Map<number, { centroidLps: Vec3; voxelCount: number }> {
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
  return new Map([...sums].map(([v, [x, y, z, n]]) => [v, { centroidLps: [x / n, y / n, z / n] as Vec3, voxelCount: n }]));
}

/** OHIF's record of one loaded SEG segment (segmentationService), the parts read here. */
export interface OhifStoredSegment {
  label?: string;
  cachedStats?: { algorithmType?: string };
}

const LABEL = /^(?:(\S+) )?(vertebral body|disc)$/i;

/** How a stored segment was made, from its SegmentAlgorithmType and SegmentDescription (seg.ts segmentNaming; SEMIAUTOMATIC alone = renamed, as SEGs stored before outline corrections say it). */
function madeBy(algorithmType: string | undefined, description: string): Pick<SegmentInfo, 'readerModified' | 'inferred' | 'outlineCorrected'> {
  const outlineCorrected = description.includes(SEGMENT_NOTES.outlineCorrected);
  const renamed = algorithmType === 'SEMIAUTOMATIC' && (!outlineCorrected || description.includes(SEGMENT_NOTES.renamed));
  return {
    ...(renamed ? { readerModified: true } : {}),
    ...(/inferred/i.test(description) ? { inferred: true as const } : {}),
    ...(outlineCorrected ? { outlineCorrected: true as const } : {}),
  };
}

/**
 * Our segments among a stored SEG's, as SegmentInfo. A segment the reader renamed was stored with
 * SegmentAlgorithmType SEMIAUTOMATIC, an inferred disc with a SegmentDescription saying so (seg.ts).
 * Segments with no voxels, or labels not ours, are left out.
 * @param segments OHIF's segments of the loaded SEG, by segment number
 * @param descriptions SegmentDescription by segment number, where present
 */
export function segmentsFromStoredSeg(
  segments: Record<string, OhifStoredSegment | undefined>,
  stats: Map<number, { centroidLps: Vec3; voxelCount: number }>,
  descriptions: Map<number, string> = new Map(),
): SegmentInfo[] {
  const out: SegmentInfo[] = [];
  for (const [key, seg] of Object.entries(segments)) {
    const segmentNumber = Number(key);
    const m = LABEL.exec(seg?.label ?? '');
    const st = stats.get(segmentNumber);
    if (!m || !st) continue;
    out.push({
      segmentNumber,
      kind: m[2].toLowerCase() === 'disc' ? 'disc' : 'vertebral_body',
      ...(m[1] ? { level: m[1] } : {}),
      label: seg!.label!,
      ...st,
      ...madeBy(seg?.cachedStats?.algorithmType, descriptions.get(segmentNumber) ?? ''),
    });
  }
  return out.sort((a, b) => a.segmentNumber - b.segmentNumber);
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
