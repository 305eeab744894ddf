/**
 * The evidence of the foraminal grades: each measured foramen's outline drawn on the image it was measured
 * on, labelled with its level, side, height and Lee grade (outlineOverlay.ts); for a fresh analysis also the
 * exiting root found in it. The same for a report read back from a stored SR (no root: the SR keeps the outline).
 */
import type { DiscForamina } from '../pipeline/foramen';
import type { SpineReport } from '../pipeline/report';
import { foramenMeasurementNames } from '../pipeline/grade/foramen';
import { createOutlineOverlay } from './outlineOverlay';

const show = createOutlineOverlay('spine-foramina', '#38e0ff');

/**
 * Show the foramina of `report` (replacing earlier ones): outlines and heights from its measurements, grades
 * from its findings (reader changes included: call again after an edit).
 * @param foramina the analysis' foramen measurements, for the root markers; absent for a stored report.
 */
export function showForamenOutlines(report: SpineReport, foramina?: DiscForamina[]): void {
  show(report.levels.flatMap((l) => (['left', 'right'] as const).flatMap((side) => {
    const names = foramenMeasurementNames(side);
    const area = l.measurements.find((m) => m.name === names.area);
    if (!area?.sourceImage || !area.outlineLps?.length) return [];
    const height = l.measurements.find((m) => m.name === names.height);
    const grade = side === 'left' ? l.foraminalStenosisLeft : l.foraminalStenosisRight;
    const root = foramina?.find((f) => f.segmentNumber === l.discSegmentNumber)?.[side].rootCentreLps;
    return [{
      sopInstanceUid: area.sourceImage.sopInstanceUid,
      label: `${l.level} ${side} foramen${height ? ` ${height.value.toFixed(0)} mm` : ''}${grade.value !== null ? ` · Lee ${grade.value}${grade.readerModified ? '*' : ''}` : ''}`,
      outlineLps: area.outlineLps,
      markerLps: root,
    }];
  })));
}
