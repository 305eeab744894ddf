/**
 * The reader's corrections of the outlines shown (OHIF's brush and eraser on the analysis' labelmap), against those
 * the result was measured from: what Measure again measures, and what Save to PACS must not drop unmeasured.
 */
import type { DisplaySet } from '../../../types/ohif';
import type { ViewerAnalysis } from '../ohif/analysisClient';
import { copyLabelmapSlices, labelmapInOrder, readLabelmap, segmentLabel } from '../ohif/showSegmentation';
import { correctedSegments, editedOutlines, outlinedSegments, type EditedOutlines } from '../pipeline/edited-outlines';
import type { SegmentInfo, SpineReport } from '../pipeline/report';
import type { SpineVolume } from '../pipeline/volume';
import { withSoftwareLevels } from './readerEdits';
import type { StoredState } from './useSave';
import { keepOutlines, keptLabelmap, type KeptOutlines } from '../store/kept-outlines';
import { getCornerstone } from '../ohif/cornerstone';

export const REPLACE_CORRECTED_OUTLINES = 'Analyze again segments the series afresh and replaces the outlines you corrected (your grade changes are offered again). Analyze again?';

/** A note under the Analyze buttons about the outlines (nothing changed, some left out, or why they could not be read). */
export type OutlineNote = { text: string; error: boolean } | undefined;
export const NOTHING_EDITED = 'No vertebral body or disc outline has been changed since it was measured. Correct them with the brush or eraser of the segmentation panel (the dural sac is found by rule from the image and is not measured from its outline).';

export const NOTHING_EDITED_STORED = 'No vertebral body or disc outline of the stored SEG has been changed since it was loaded. Correct them with the brush or eraser of the segmentation panel, then press Measure again (or press Analyze to segment the series afresh).';

/**
 * The outlines shown now as input to measureSpine (pipeline/edited-outlines.ts).
 * @throws Error when the segmentation shown cannot be read (removed in OHIF's panel, images gone).
 */
export function outlinesShown(ds: DisplaySet, result: ViewerAnalysis, segmentationId: string): EditedOutlines {
  const shown = readLabelmap(segmentationId, ds, result.imageIds, result.labelmap.dims);
  return editedOutlines(result.sourceVolume, shown, result.labelmap, result.report.segments);
}

/** Why saving now would drop the reader's outline edits (not measured yet); undefined when it would not. */
export function unmeasuredOutlineEdits(ds: DisplaySet, result: ViewerAnalysis, segmentationId: string): string | undefined {
  try {
    return outlinesShown(ds, result, segmentationId).changed
      ? 'You have changed outlines that are not measured yet: press Measure again first, so that the SEG and the SR hold your outlines and the measurements made from them.'
      : undefined;
  } catch {
    return undefined; // the segmentation is no longer shown (e.g. removed in OHIF's panel): the analysis' own outlines are saved
  }
}

/**
 * What Measure again left out of the outlines, for the panel: segments erased entirely, and segments added in OHIF's
 * panel (the analysis measures only its own vertebral bodies and discs); undefined when nothing was left out.
 */
export function leftOutNote(outlines: EditedOutlines, segmentationId: string): string | undefined {
  const notes = [
    ...(outlines.erased.length ? [`Erased entirely, so no longer measured: ${outlines.erased.join(', ')}.`] : []),
    ...(outlines.added.length
      ? [`Not measured: ${outlines.added.map((n) => segmentLabel(segmentationId, n) ?? `segment ${n}`).join(', ')} — added in the segmentation panel; only the analysis' own vertebral bodies and discs are measured (correct those with the brush and eraser; Analyze again to segment afresh).`]
      : []),
  ];
  return notes.length ? notes.join(' ') : undefined;
}

/** A stored SEG shown on the analysed series (reopened findings), as Measure again reads it. */
export interface StoredOutlines {
  segmentationId: string;
  /** The analysed display set's imageIds (the SEG's source images). */
  sourceImageIds: string[];
  /** Its pixels as loaded, per source imageId (loadStoredReport.ts showStoredSeg). */
  loaded: Map<string, Uint8Array>;
  /** Its vertebral bodies and discs, named as the stored findings (with the reader's changes) name them. */
  segments: SegmentInfo[];
  /** The stored findings, with the reader's changes not saved yet. */
  report: SpineReport;
}

/**
 * The stored SEG of reopened findings as Measure again reads it; undefined when none is shown, its pixels could not be
 * copied when it was loaded, or it lies on another series than `seriesInstanceUid` (the one Analyze uses).
 * @param named the findings that name its segments (default: the stored ones as the reader changed them in this page)
 */
export function storedOutlinesOf(stored: StoredState, seriesInstanceUid: string | undefined, named?: SpineReport): StoredOutlines | undefined {
  if (stored.status !== 'loaded' || !stored.segmentationId || !stored.loadedOutlines || !stored.sourceImageIds) return undefined;
  const report = named ?? stored.edited ?? stored.stored.report;
  if (report.seriesInstanceUid !== seriesInstanceUid) return undefined;
  return {
    segmentationId: stored.segmentationId,
    sourceImageIds: stored.sourceImageIds,
    loaded: stored.loadedOutlines,
    segments: report.segments.length ? report.segments : withSoftwareLevels(stored.segments ?? [], report.levelNaming),
    report,
  };
}

/** Why saving the stored findings' changes now would drop the reader's edits of the stored outlines; undefined when it would not. */
export function unmeasuredStoredOutlineEdits(stored: StoredState): string | undefined {
  const outlines = stored.status === 'loaded' ? storedOutlinesOf(stored, (stored.edited ?? stored.stored.report).seriesInstanceUid) : undefined;
  try {
    return outlines && storedOutlinesEdited(outlines)
      ? 'You have changed outlines of the stored SEG: press Measure again first (beside Analyze), so that the new version holds your outlines and the measurements made from them; saved now, the stored SEG would be carried over as it was.'
      : undefined;
  } catch {
    return undefined; // the stored SEG is no longer shown: it is carried over as stored
  }
}

/**
 * Whether the reader changed a body or disc outline of the stored SEG since it was loaded.
 * @throws Error when the segmentation shown cannot be read (removed in OHIF's panel, images gone).
 */
export function storedOutlinesEdited(s: StoredOutlines): boolean {
  return storedCorrectionsIn(copyLabelmapSlices(s.segmentationId, s.sourceImageIds, [...s.loaded.keys()]), s).length > 0;
}

/**
 * The stored SEG's outlines as the reader corrected them, as input to measureSpine: segments whose voxels changed
 * since the SEG was loaded are marked outlineCorrected (those the stored SEG says were corrected stay so).
 * @param imageIds the analysed volume's images, in its slice order; `volume` its geometry (dims, LPS)
 * @param shown the corrected outlines per source imageId: those shown now unless given (kept in this browser: keptStoredSlices)
 * @throws Error when the segmentation cannot be read or does not cover the volume's images.
 */
export function storedOutlinesShown(s: StoredOutlines, imageIds: string[], volume: SpineVolume, shown: Map<string, ArrayLike<number>> = copyLabelmapSlices(s.segmentationId, s.sourceImageIds, imageIds)): EditedOutlines {
  return editedOutlines(volume, labelmapInOrder(shown, imageIds, volume.dims), labelmapInOrder(s.loaded, imageIds, volume.dims), s.segments);
}

/** Outlines of a stored SEG as this browser keeps them (reader-drafts.ts): the bodies and discs, and the source images of their slices in order. */
export interface KeptStoredOutlines {
  outlines: KeptOutlines;
  imageIds: string[];
}

/**
 * The stored SEG's body and disc outlines as the reader left them, to keep in this browser; undefined when none
 * differs from the SEG as loaded.
 * @throws Error when the segmentation shown cannot be read (removed in OHIF's panel, images gone).
 */
export function storedOutlinesToKeep(s: StoredOutlines): KeptStoredOutlines | undefined {
  const imageIds = s.sourceImageIds.filter((id) => s.loaded.has(id));
  const now = copyLabelmapSlices(s.segmentationId, s.sourceImageIds, imageIds);
  if (!storedCorrectionsIn(now, s).length) return undefined;
  const plane = s.loaded.get(imageIds[0])!.length;
  const { columns = plane, rows = 1 } = getCornerstone().core.metaData.get('imagePlaneModule', imageIds[0]) ?? {};
  return { outlines: keepOutlines(labelmapInOrder(now, imageIds, [columns, rows, imageIds.length]), outlinedSegments(s.segments)), imageIds };
}

/**
 * Kept outlines of the stored SEG as slices per source imageId (the `shown` of storedOutlinesShown).
 * @throws Error, saying why, when they do not fit the stored SEG shown now (other images, another size) or are damaged.
 */
export function keptStoredSlices(kept: KeptStoredOutlines, s: StoredOutlines): Map<string, Uint8Array> {
  const { values, dims } = keptLabelmap(kept.outlines);
  const plane = dims[0] * dims[1];
  if (kept.imageIds.length !== dims[2] || kept.imageIds.some((id) => s.loaded.get(id)?.length !== plane) || kept.imageIds.length !== s.loaded.size) {
    throw new Error('they were drawn on images the stored SEG does not lie on now');
  }
  return new Map(kept.imageIds.map((id, k) => [id, values.subarray(k * plane, (k + 1) * plane)]));
}

/** The stored SEG's bodies and discs whose outlines `slices` (keptStoredSlices) change, by name ('L4 vertebral body'). */
export function storedCorrectionsIn(slices: Map<string, ArrayLike<number>>, s: StoredOutlines): string[] {
  const outlined = outlinedSegments(s.segments);
  const corrected = new Set<number>();
  for (const [id, now] of slices) for (const n of correctedSegments(now, s.loaded.get(id)!, outlined)) corrected.add(n);
  return s.segments.filter((x) => corrected.has(x.segmentNumber)).map((x) => x.label);
}
