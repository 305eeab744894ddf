/**
 * The evidence of a graded spondylolisthesis: the two posterior vertebral body lines and the step between them,
 * drawn on the sagittal image they were measured on (the mid-sagittal one, or the disc's own off the midline) (outlineOverlay.ts, as an open path), labelled with the
 * level, direction, slip and Meyerding grade. Levels graded 'none' are not drawn (their lines would only clutter the
 * spine). The same for a report read back from a stored SR (it keeps the lines).
 */
import type { SpineReport } from '../pipeline/report';
import { measuredSlip } from '../pipeline/grade/listhesis';
import { FINDING_CHOICES } from '../panel/readerEdits';
import { createOutlineOverlay } from './outlineOverlay';
import { inNameColumn } from './levelLabels';

const show = createOutlineOverlay('spine-slip-lines', '#b6ff00');

/** Show the slip lines of `report` (replacing earlier ones), with its grades (reader changes included: call again after an edit). */
export function showSlipLines(report: SpineReport): void {
  show(report.levels.flatMap((l) => {
    const f = l.spondylolisthesis;
    const mm = l.measurements.find((m) => m.name === 'vertebralSlipMm');
    const slip = measuredSlip(l.measurements);
    if (!f?.value || !slip || !mm?.sourceImage || !mm.lineLps?.length) return [];
    const grade = `${FINDING_CHOICES.spondylolisthesis.show(f.value)}${f.readerModified ? '*' : ''}`;
    return [{
      sopInstanceUid: mm.sourceImage.sopInstanceUid,
      frameNumber: mm.sourceImage.frameNumber,
      label: `${l.level} ${slip.direction} ${slip.size} · Meyerding ${grade}`,
      shortLabel: `${l.level} ${slip.direction} ${grade}`,
      outlineLps: mm.lineLps,
      open: true,
      // In front of the spine at the disc's height, among the level names: above the lines it hid the bodies and the canal.
      // (The path's inner points are the step at the disc's centre line: listhesis.ts posteriorLinesMm.)
      labelEnd: { lps: inNameColumn(report.segments, l.level, mm.lineLps.length > 2 ? mm.lineLps.slice(1, -1) : mm.lineLps), line: 'at' as const },
    }];
  }));
}
