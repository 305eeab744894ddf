/**
 * The evidence of a central canal stenosis: the dural sac AP line drawn on the sagittal image it was measured on
 * (the disc's mid-sagittal slice, or its own when it lies off the midline: measure-spine.ts measureSpine), labelled
 * with the level, the AP and the grade — and the axial dural sac area where one was measured, since that area then
 * decides the grade (grade/canal.ts): an AP of 21 mm beside "moderate" would read as a contradiction. Levels graded
 * 'none' are not drawn (their lines would only clutter the canal).
 * The same for a report read back from a stored SR (it keeps the line).
 */
import type { LevelReport, SpineReport } from '../pipeline/report';
import { createOutlineOverlay } from './outlineOverlay';
import { inNameColumn } from './levelLabels';

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
      label: canalLineLabel(l),
      shortLabel: `${l.level} canal ${f.value}${f.readerModified ? '*' : ''}`,
      outlineLps: ap.lineLps,
      open: true,
      // Behind the sac (the line runs front to back), so that the label does not hide the canal it measures; where
      // there is no room behind it (a narrow viewport), in front of the spine, a line below the disc's height (a slip's label is there).
      labelAfterEnd: true,
      labelEnd: { lps: inNameColumn(report.segments, l.level, ap.lineLps.slice(0, 1)), line: 'below' as const },
    }];
  }));
}

/** The label of a level's canal AP line: 'L4/L5 canal AP 8.0 mm · severe', with ', axial area 80 mm²' where one was measured; '*' for a reader's grade. */
export function canalLineLabel(l: LevelReport): string {
  const f = l.centralCanalStenosis;
  const ap = l.measurements.find((m) => m.name === 'canalApDiameterMm');
  const area = l.measurements.find((m) => m.name === 'duralSacAreaMm2');
  return `${l.level} canal AP ${ap?.value.toFixed(1) ?? '—'} mm${area ? `, axial area ${area.value.toFixed(0)} mm²` : ''} · ${f.value ?? 'not assessable'}${f.readerModified ? '*' : ''}`;
}
