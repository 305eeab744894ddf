/**
 * The reader's corrections of the outlines shown (OHIF's brush and eraser on the analysis' labelmap), against those
 * the result was measured from: what Measure again measures, and what Save to PACS must not drop unmeasured.
 */
import type { DisplaySet } from '../../../types/ohif';
import type { ViewerAnalysis } from '../ohif/analysisClient';
import { readLabelmap } from '../ohif/showSegmentation';
import { editedOutlines, type EditedOutlines } from '../pipeline/edited-outlines';

export const REPLACE_CORRECTED_OUTLINES = 'Analyze again segments the series afresh and replaces the outlines you corrected (your grade changes are offered again). Analyze again?';

export const NOTHING_EDITED = 'No vertebral body or disc outline has been changed since it was measured. Correct them with the brush or eraser of the segmentation panel (the dural sac is found by rule from the image and is not measured from its outline).';

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
