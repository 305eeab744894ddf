/**
 * The evidence of a central canal stenosis: the dural sac AP line drawn on the sagittal image it was measured on
 * (the disc's mid-sagittal slice, or its own when it lies off the midline: measure-spine.ts measureSpine), labelled
 * with the level, the AP and the grade. Levels graded 'none' are not drawn (their lines would only clutter the canal).
 * The same for a report read back from a stored SR (it keeps the line).
 */
import type { SpineReport } from '../pipeline/report';
import { createOutlineOverlay } from './outlineOverlay';

const show = createOutlineOverlay('spine-canal-lines', '#ffb000');

/** Show the canal AP lines of `report`'s stenotic levels (replacing earlier ones), with its grades (reader changes included: call again after an edit). */
export function showCanalLines(report: SpineReport): void {
  show(report.levels.flatMap((l) => {
    const f = l.centralCanalStenosis;
    const ap = l.measurements.find((m) => m.name === 'canalApDiameterMm');
    if (!f.value || f.value === 'none' || !ap?.sourceImage || !ap.lineLps?.length) return [];
    return [{
      sopInstanceUid: ap.sourceImage.sopInstanceUid,
      frameNumber: ap.sourceImage.frameNumber,
      label: `${l.level} canal AP ${ap.value.toFixed(1)} mm · ${f.value}${f.readerModified ? '*' : ''}`,
      outlineLps: ap.lineLps,
      open: true,
      // Behind the sac (the line runs front to back), so that the label does not hide the canal it measures.
      labelAfterEnd: true,
    }];
  }));
}
