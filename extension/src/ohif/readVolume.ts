/**
 * Reads an OHIF stack display set's voxels and geometry into a SpineVolume (pipeline/volume.ts),
 * through cornerstone's image loader and cache (images already loaded for display are reused).
 *
 * Geometry (DICOM PS3.3 C.7.6.2, LPS mm): rowDirection/columnDirection = ImageOrientationPatient;
 * spacingMm = [PixelSpacing[1] (between columns), PixelSpacing[0] (between rows), distance between
 * successive ImagePositionPatient along the slice normal]; slices sorted along the normal.
 * Pixel values are modality values (stored × RescaleSlope + RescaleIntercept).
 */
import type { DisplaySet } from '../../../types/ohif';
import type { SpineVolume, Vec3 } from '../pipeline/volume';
import type { AxialSlice } from '../pipeline/axial-canal';
import { getCornerstone } from './cornerstone';
import { displaySetImageIds } from './displaySetImageIds';
import { hasStoredPixelSpacing } from '../dicom/series-headers';
import { evenlySpacedRun } from '../pipeline/slice-run';
import { fatAndContrastOf } from '../pipeline/series';

export interface VolumeFromDisplaySet {
  volume: SpineVolume;
  /** imageIds in SpineVolume slice order k (the labelmap writer needs the same order). */
  imageIds: string[];
}

const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: number[], b: number[]): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/**
 * @param onProgress called with (slices loaded, total).
 * Of a series with a gap (an image missing), only the evenly spaced slices (pipeline/slice-run.ts), said in the
 * volume's analysedSlicesNote.
 * @throws Error when the display set has no images, slices differ in size/orientation, images share a position, or
 *   the spacing between slices is uneven throughout (evenlySpacedRun).
 */
export async function readDisplaySetVolume(ds: DisplaySet, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<VolumeFromDisplaySet> {
  const { core } = getCornerstone();
  const ids = displaySetImageIds(ds);
  if (!ids.length) throw new Error(`Series "${ds.SeriesDescription ?? ds.SeriesInstanceUID}" has no images to analyse.`);
  const planes = ids.map((id) => core.metaData.get('imagePlaneModule', id));
  const first = planes[0];
  if (!first?.imagePositionPatient || !first.rowCosines || !first.columnCosines) {
    throw new Error(`Series "${ds.SeriesDescription}" lacks ImagePositionPatient/ImageOrientationPatient; cannot build a volume.`);
  }
  const rowDir = Array.from(first.rowCosines as number[]) as Vec3;
  const colDir = Array.from(first.columnCosines as number[]) as Vec3;
  const normal = cross(rowDir, colDir);
  const all = ids.map((id, i) => ({ id, i, d: dot(planes[i].imagePositionPatient, normal) })).sort((a, b) => a.d - b.d);
  const seriesName = `"${ds.SeriesDescription ?? ds.SeriesInstanceUID}"`;
  const run = evenlySpacedRun(all.map((o) => o.d), seriesName);
  const order = all.slice(run.start, run.end);
  const rows: number = first.rows;
  const cols: number = first.columns;
  const n = order.length;
  const sliceSpacing = run.spacingMm ?? (Number(first.sliceThickness) || 1);
  const voxels = new Float32Array(rows * cols * n);
  for (let k = 0; k < n; k++) {
    const p = planes[order[k].i];
    if (p.rows !== rows || p.columns !== cols) throw new Error(`Series "${ds.SeriesDescription}": slice ${k + 1} is ${p.columns}×${p.rows}, not ${cols}×${rows}.`);
  }
  await loadImages(seriesName, order.map((o) => o.id), (k, px) => voxels.set(px, k * rows * cols), onProgress, signal);
  const inst: Record<string, any> = ds.instances?.[0] ?? {};
  const sopInstanceUids = order.map((o) => String(core.metaData.get('instance', o.id)?.SOPInstanceUID ?? core.metaData.get('sopCommonModule', o.id)?.sopInstanceUID ?? ''));
  const volume: SpineVolume = {
    voxels,
    dims: [cols, rows, n],
    // No stored PixelSpacing: NaN, and the pipeline refuses the series with that reason (preprocess.ts) rather than
    // measure in the 1 mm that cornerstone's imagePlaneModule fills in.
    spacingMm: hasStoredPixelSpacing(inst) ? [Number(first.columnPixelSpacing), Number(first.rowPixelSpacing), sliceSpacing] : [NaN, NaN, sliceSpacing],
    originLps: Array.from(planes[order[0].i].imagePositionPatient as number[]) as Vec3,
    rowDirection: rowDir,
    columnDirection: colDir,
    sliceDirection: normal,
    studyInstanceUid: ds.StudyInstanceUID,
    seriesInstanceUid: ds.SeriesInstanceUID,
    frameOfReferenceUid: String(first.frameOfReferenceUID ?? inst.FrameOfReferenceUID ?? ''),
    sopInstanceUids,
    ...frameNumbersOf(order.map((o) => o.id), sopInstanceUids, ds.SeriesDescription),
    sopClassUid: inst.SOPClassUID,
    seriesDescription: ds.SeriesDescription,
    mrAcquisitionType: inst.MRAcquisitionType,
    ...fatAndContrastOf({ ImageType: inst.ImageType, SeriesDescription: ds.SeriesDescription, ScanOptions: inst.ScanOptions, ContrastBolusAgent: inst.ContrastBolusAgent }),
    ...(run.note ? { analysedSlicesNote: run.note } : {}),
  };
  return { volume, imageIds: order.map((o) => o.id) };
}

/** The frame a WADO-RS imageId names ('…/instances/<uid>/frames/<n>', 1-based; single-frame images name frame 1 too). */
export function frameOfImageId(imageId: string): number | undefined {
  return Number(/\/frames\/(\d+)/.exec(imageId)?.[1]) || undefined;
}

/**
 * Frame numbers of images that are frames of multi-frame instances (their SOP Instance UIDs repeat), from the
 * WADO-RS imageIds ('…/instances/<uid>/frames/<n>', n 1-based); {} for single-frame images.
 * @throws Error when a repeated instance's imageId names no frame (the SEG and SR could not say which frame they mean).
 */
export function frameNumbersOf(imageIds: string[], sopInstanceUids: string[], seriesDescription?: string): { frameNumbers?: number[] } {
  if (new Set(sopInstanceUids).size === sopInstanceUids.length) return {};
  const frames = imageIds.map(frameOfImageId);
  if (frames.some((f) => f === undefined)) throw new Error(`Series "${seriesDescription}": its images are frames of a multi-frame instance, but their image IDs do not say which frame (WADO-RS '/frames/<n>' expected).`);
  return { frameNumbers: frames as number[] };
}

/**
 * Loads images in small parallel batches (images already displayed come from cornerstone's cache, the
 * others are fetched over WADO-RS a few at a time) and hands each one's modality values
 * (stored × RescaleSlope + RescaleIntercept, row-major) to `use`.
 */
async function loadImages(series: string, ids: string[], use: (k: number, px: Float32Array) => void, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<void> {
  const { core } = getCornerstone();
  const BATCH = 6;
  let loaded = 0;
  const loadOne = async (k: number) => {
    let image;
    try {
      image = await core.imageLoader.loadAndCacheImage(ids[k]);
    } catch (e) {
      // cornerstone's loaders reject with an Error, an XHR-like object or nothing at all: name what failed either way.
      throw new Error(`Image ${k + 1} of ${ids.length} of series ${series} could not be loaded from the PACS (${loadFailure(e)}). Check the connection to the PACS, then press Analyze again.`);
    }
    const px: ArrayLike<number> = image.voxelManager?.getScalarData?.() ?? image.getPixelData();
    const slope = Number(image.slope ?? 1) || 1;
    const intercept = Number(image.intercept ?? 0) || 0;
    const out = new Float32Array(px.length);
    for (let i = 0; i < px.length; i++) out[i] = px[i] * slope + intercept;
    use(k, out);
    onProgress?.(++loaded, ids.length);
  };
  for (let k0 = 0; k0 < ids.length; k0 += BATCH) {
    if (signal?.aborted) throw signal.reason ?? new Error('Cancelled');
    await Promise.all(Array.from({ length: Math.min(BATCH, ids.length - k0) }, (_, j) => loadOne(k0 + j)));
  }
}

/** What a rejected image load says: its message, its HTTP status, or that nothing answered. */
function loadFailure(e: unknown): string {
  const x = e as { message?: unknown; status?: unknown; error?: { message?: unknown } } | undefined;
  const status = /\bstatus (\d{3})\b/.exec(String(x?.message ?? ''))?.[1]; // "Couldn't retrieve <long URL> got status 503"
  if (status) return `HTTP ${status}`;
  if (typeof x?.message === 'string' && x.message) return x.message;
  if (typeof x?.error?.message === 'string' && x.error.message) return x.error.message;
  if (typeof x?.status === 'number' && x.status > 0) return `HTTP ${x.status}`;
  return 'no answer from the server';
}

/**
 * Reads every image of a display set as an AxialSlice with its own geometry (axial stacks are often
 * several blocks, each angled to its disc, so they are not one volume).
 * @throws Error when an image lacks ImagePositionPatient/ImageOrientationPatient or PixelSpacing.
 */
export async function readDisplaySetSlices(ds: DisplaySet, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<AxialSlice[]> {
  const { core } = getCornerstone();
  const ids = displaySetImageIds(ds);
  const slices: AxialSlice[] = ids.map((id, k) => {
    const p = core.metaData.get('imagePlaneModule', id);
    const inst = core.metaData.get('instance', id) ?? {};
    if (!p?.imagePositionPatient || !p.rowCosines || !p.columnCosines || !p.rowPixelSpacing || !p.columnPixelSpacing || !hasStoredPixelSpacing(inst)) {
      throw new Error(`Series "${ds.SeriesDescription}": image ${k + 1} lacks ImagePositionPatient, ImageOrientationPatient or PixelSpacing.`);
    }
    const frame = Number(inst.NumberOfFrames) > 1 ? frameOfImageId(id) : undefined;
    return {
      pixels: new Float32Array(0),
      columns: p.columns,
      rows: p.rows,
      spacingMm: [Number(p.columnPixelSpacing), Number(p.rowPixelSpacing)],
      positionLps: Array.from(p.imagePositionPatient as number[]) as Vec3,
      rowDirection: Array.from(p.rowCosines as number[]) as Vec3,
      columnDirection: Array.from(p.columnCosines as number[]) as Vec3,
      sliceThicknessMm: Number(p.sliceThickness) || 0,
      sopInstanceUid: String(inst.SOPInstanceUID ?? ''),
      ...(frame ? { frameNumber: frame } : {}),
      ...(inst.SOPClassUID ? { sopClassUid: String(inst.SOPClassUID) } : {}),
      seriesInstanceUid: String(inst.SeriesInstanceUID ?? ds.SeriesInstanceUID ?? ''),
      frameOfReferenceUid: String(inst.FrameOfReferenceUID ?? ''),
      instanceNumber: inst.InstanceNumber !== undefined ? Number(inst.InstanceNumber) : k + 1,
    };
  });
  await loadImages(`"${ds.SeriesDescription ?? ds.SeriesInstanceUID}"`, ids, (k, px) => { slices[k].pixels = px; }, onProgress, signal);
  return slices;
}
