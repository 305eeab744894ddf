/**
 * Shows an analysis labelmap in OHIF through its segmentationService: one labelmap segmentation on
 * the analysed display set, one segment per SegmentInfo (segment index = segmentNumber, label =
 * SegmentInfo.label, colours from segment-colors.ts, as the stored SEG recommends them), added to every viewport showing that
 * display set, and to one that shows its images later through another display set (followAnalysedImages). Voxels are
 * written into the derived labelmap images in the SpineVolume slice order.
 */
import type { DisplaySet, Services } from '../../../types/ohif';
import type { SegmentInfo } from '../pipeline/report';
import type { Labelmap, Vec3 } from '../pipeline/volume';
import { getOhifContext, viewportsShowing } from './context';
import { getCornerstone } from './cornerstone';
import { displaySetImageIds } from './displaySetImageIds';
import { segmentColors } from '../segment-colors';

export const SEGMENTATION_ID_PREFIX = 'spine-mri-';

/**
 * @param imageIds display-set imageIds in labelmap slice order (from readDisplaySetVolume).
 * @returns the segmentationId.
 * @throws Error when OHIF's segmentationService is missing or the labelmap size does not match.
 */
export async function showLabelmap(ds: DisplaySet, imageIds: string[], labelmap: Labelmap, segments: SegmentInfo[]): Promise<string> {
  const { servicesManager } = getOhifContext();
  const { segmentationService } = servicesManager.services;
  if (!segmentationService) throw new Error('OHIF segmentationService is not available in this mode.');
  const { tools } = getCornerstone();
  const [cols, rows, n] = labelmap.dims;
  if (imageIds.length !== n) throw new Error(`Labelmap has ${n} slices but the series has ${imageIds.length} images.`);

  const segmentationId = `${SEGMENTATION_ID_PREFIX}${ds.SeriesInstanceUID}`;
  if (segmentationService.getSegmentation(segmentationId)) segmentationService.remove(segmentationId);
  const segDefs: Record<number, { label: string; active?: boolean }> = {};
  for (const s of segments) segDefs[s.segmentNumber] = { label: s.label, active: s === segments[0] };
  await segmentationService.createLabelmapForDisplaySet(ds, { segmentationId, label: 'Spine MRI analysis', segments: segDefs });

  const plane = cols * rows;
  labelmapImages(segmentationId, displaySetImageIds(ds), imageIds).forEach((image, k) => {
    const slice = labelmap.values.subarray(k * plane, (k + 1) * plane);
    if (image.voxelManager?.setScalarData) {
      const data = image.voxelManager.getScalarData();
      data.set(slice);
      image.voxelManager.setScalarData(data);
    } else {
      image.getPixelData().set(slice);
    }
  });
  tools?.segmentation?.triggerSegmentationEvents?.triggerSegmentationDataModified?.(segmentationId);

  // Show it in every viewport that displays the analysed series, with our colours.
  for (const vp of viewportsShowing(ds.displaySetInstanceUID)) await addWithColours(vp.viewportId, segmentationId, segments);
  analysisShown = { segmentationId, displaySetInstanceUID: ds.displaySetInstanceUID, imageIds: new Set(imageIds), segments };
  return segmentationId;
}

async function addWithColours(viewportId: string, segmentationId: string, segments: SegmentInfo[]): Promise<void> {
  const { segmentationService } = getOhifContext().servicesManager.services;
  if (!segmentationService) return;
  const colors = segmentColors(segments);
  await segmentationService.addSegmentationRepresentation(viewportId, { segmentationId });
  segments.forEach((s) => segmentationService.setSegmentColor?.(viewportId, segmentationId, s.segmentNumber, colors.get(s.segmentNumber)!));
}

/** The analysis segmentation showLabelmap showed last, and the images it lies on (for followAnalysedImages). */
let analysisShown: { segmentationId: string; displaySetInstanceUID: string; imageIds: Set<string>; segments: SegmentInfo[] } | undefined;

/**
 * Draws the analysis outlines on a viewport that comes to show the analysed images through another display set: OHIF's
 * SR of the reader's measurements, opened over the sagittal T2, shows its images. OHIF puts a segmentation back only
 * on the display set it was made for (a stored SEG, which OHIF loaded, it puts back on the SR too), so there the level
 * names were drawn over bare images, and a level click, which moves the viewports showing the segmentation, left that
 * viewport where it was. Not on a SEG or RTSTRUCT display set: the reader opened that segmentation to see it. Call once
 * (preRegistration).
 */
export function followAnalysedImages(services: Pick<Services, 'cornerstoneViewportService' | 'viewportGridService' | 'displaySetService'>): void {
  const { cornerstoneViewportService, viewportGridService, displaySetService } = services;
  const event = cornerstoneViewportService?.EVENTS?.VIEWPORT_DATA_CHANGED;
  if (!event) return;
  cornerstoneViewportService.subscribe(event, ({ viewportId }: { viewportId: string }) => {
    const shown = analysisShown;
    const { segmentationService } = getOhifContext().servicesManager.services;
    if (!shown || !segmentationService?.getSegmentation(shown.segmentationId)) return;
    const uids: string[] = viewportGridService.getState().viewports.get(viewportId)?.displaySetInstanceUIDs ?? [];
    if (uids.includes(shown.displaySetInstanceUID)) return; // OHIF puts it back there itself
    // A SEG opened by the reader (a stored one, offered by OHIF to load) is shown by itself, not under the analysis.
    if (uids.some((uid) => /^(SEG|RTSTRUCT)$/.test(displaySetService.getDisplaySetByUID(uid)?.Modality ?? ''))) return;
    const imageId = cornerstoneViewportService.getCornerstoneViewport?.(viewportId)?.getCurrentImageId?.();
    if (!imageId || !shown.imageIds.has(imageId)) return;
    if (segmentationService.getViewportIdsWithSegmentation?.(shown.segmentationId)?.includes(viewportId)) return;
    addWithColours(viewportId, shown.segmentationId, shown.segments).catch((e) => console.warn(`Spine MRI: the analysis outlines are not drawn on viewport ${viewportId}: ${(e as Error).message}`));
  });
}

/**
 * The cornerstone images of a labelmap segmentation, in labelmap slice order (`imageIds`: source images of `dsImageIds`,
 * in that order). Each derived image is found by the source image it references, else by its index (derived images
 * follow the display set's order).
 */
function labelmapImages(segmentationId: string, dsImageIds: string[], imageIds: string[]): any[] {
  const { segmentationService } = getOhifContext().servicesManager.services;
  const { core } = getCornerstone();
  const segImageIds: string[] = segmentationService?.getSegmentation(segmentationId)?.representationData?.Labelmap?.imageIds ?? [];
  const images = segImageIds.map((id) => core.cache.getImage(id));
  const byReferenced = new Map(images.filter((i) => i?.referencedImageId).map((i) => [i.referencedImageId as string, i]));
  return imageIds.map((id, k) => {
    const image = byReferenced.get(id) ?? images[dsImageIds.indexOf(id)];
    if (!image) throw new Error(`No labelmap image for slice ${k + 1}.`);
    return image;
  });
}

/**
 * The labelmap as the viewer shows it now, with the reader's brush and eraser edits: the inverse of showLabelmap.
 * @param dims the labelmap's [columns, rows, slices] (the analysed volume's).
 * @throws Error when the segmentation or one of its images is gone.
 */
export function readLabelmap(segmentationId: string, ds: DisplaySet, imageIds: string[], dims: Vec3): Labelmap {
  return labelmapInOrder(copyLabelmapSlices(segmentationId, displaySetImageIds(ds), imageIds), imageIds, dims);
}

/**
 * A copy of a labelmap segmentation's pixels on each of `imageIds` (source imageId → row-major values): what a stored
 * SEG held when it was loaded, for telling the reader's edits from it later.
 * @param dsImageIds the imageIds of the display set the segmentation lies on
 * @throws Error when the segmentation or one of its images is gone.
 */
export function copyLabelmapSlices(segmentationId: string, dsImageIds: string[], imageIds: string[] = dsImageIds): Map<string, Uint8Array> {
  const images = labelmapImages(segmentationId, dsImageIds, imageIds);
  return new Map(imageIds.map((id, k) => [id, Uint8Array.from(images[k].voxelManager?.getScalarData?.() ?? images[k].getPixelData())]));
}

/**
 * Labelmap slices (copyLabelmapSlices) as one Labelmap, in `imageIds` order.
 * @param dims [columns, rows, slices] of the analysed volume
 * @throws Error when a slice is missing or of another size.
 */
export function labelmapInOrder(slices: Map<string, ArrayLike<number>>, imageIds: string[], dims: Vec3): Labelmap {
  const [cols, rows, n] = dims;
  const plane = cols * rows;
  if (imageIds.length !== n) throw new Error(`The labelmap has ${imageIds.length} slices, not ${n}.`);
  const values = new Uint8Array(plane * n);
  imageIds.forEach((id, k) => {
    const data = slices.get(id);
    if (!data) throw new Error(`No labelmap image for slice ${k + 1}.`);
    if (data.length !== plane) throw new Error(`The labelmap image of slice ${k + 1} has ${data.length} pixels, not ${plane}.`);
    values.set(data, k * plane);
  });
  return { dims: [...dims] as Vec3, values };
}

/** Centres the viewports showing the segmentation on a segment (centroid from SegmentInfo, or another point of it: LPS mm). */
export function jumpToSegment(segmentationId: string, seg: SegmentInfo, worldLps: Vec3 = seg.centroidLps): void {
  const { segmentationService } = getOhifContext().servicesManager.services;
  (segmentationService as any)?.jumpToSegmentCenter?.(segmentationId, seg.segmentNumber, undefined, 0.9, true, 750, false, undefined, { world: worldLps });
}

/** A segment's label as OHIF's segmentation panel shows it ('Segment 21' for one added there and not named); undefined when unknown. */
export function segmentLabel(segmentationId: string, segmentNumber: number): string | undefined {
  const { segmentationService } = getOhifContext().servicesManager.services;
  return segmentationService?.getSegmentation(segmentationId)?.segments?.[segmentNumber]?.label;
}

/** Renames OHIF's segments after a reader correction of level names. */
export function renameSegments(segmentationId: string, segments: SegmentInfo[]): void {
  const { segmentationService } = getOhifContext().servicesManager.services;
  for (const s of segments) segmentationService?.setSegmentLabel?.(segmentationId, s.segmentNumber, s.label);
}
