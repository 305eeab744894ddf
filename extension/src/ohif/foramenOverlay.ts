/**
 * The evidence of the foraminal grades: each measured foramen's outline drawn on the image it was measured
 * on, labelled with its level, side, height and Lee grade (outlineOverlay.ts), with the exiting root found in it
 * marked. The same for a report read back from a stored SR (the SR keeps outline and root centre).
 */
import type { SpineReport } from '../pipeline/report';
import { foramenMeasurementNames } from '../pipeline/grade/foramen';
import { createOutlineOverlay } from './outlineOverlay';

const show = createOutlineOverlay('spine-foramina', '#38e0ff');

/**
 * Show the foramina of `report` (replacing earlier ones): outlines and heights from its measurements, grades
 * from its findings (reader changes included: call again after an edit).
 */
export function showForamenOutlines(report: SpineReport): void {
  show(report.levels.flatMap((l) => (['left', 'right'] as const).flatMap((side) => {
    const names = foramenMeasurementNames(side);
    const area = l.measurements.find((m) => m.name === names.area);
    if (!area?.sourceImage || !area.outlineLps?.length) return [];
    const height = l.measurements.find((m) => m.name === names.height);
    const grade = side === 'left' ? l.foraminalStenosisLeft : l.foraminalStenosisRight;
    const root = l.measurements.find((m) => m.name === names.rootArea)?.pointLps;
    return [{
      sopInstanceUid: area.sourceImage.sopInstanceUid,
      frameNumber: area.sourceImage.frameNumber,
      label: `${l.level} ${side} foramen${height ? ` ${height.value.toFixed(0)} mm` : ''}${grade.value !== null ? ` · Lee ${grade.value}${grade.readerModified ? '*' : ''}` : ''}`,
      outlineLps: area.outlineLps,
      markerLps: root,
    }];
  })));
}
