/**
 * The evidence of the foraminal grades: each measured foramen's outline (and, for a fresh analysis, the
 * exiting root found in it) drawn on the parasagittal image it was measured on (outlineOverlay.ts).
 */
import type { DiscForamina } from '../pipeline/foramen';
import type { SpineReport } from '../pipeline/report';
import { createOutlineOverlay } from './outlineOverlay';

const show = createOutlineOverlay('spine-foramina', '#38e0ff');

/** Show the measured foramina of an analysis (replacing earlier ones); `levelOf` names each disc segment. */
export function showForamenOutlines(foramina: DiscForamina[] | undefined, levelOf: (segmentNumber: number) => string | undefined): void {
  show((foramina ?? []).flatMap((both) => [both.left, both.right]).flatMap((f) => (f.sopInstanceUid && f.outlineLps?.length && f.foramenHeightMm !== null
    ? [{ sopInstanceUid: f.sopInstanceUid, label: `${levelOf(f.segmentNumber) ?? ''} ${f.side} foramen ${f.foramenHeightMm.toFixed(0)} mm`.trim(), outlineLps: f.outlineLps, markerLps: f.rootCentreLps }]
    : [])));
}

/** Show the foramen outlines a stored report (read from the SR) carries. */
export function showStoredForamenOutlines(report: SpineReport): void {
  show(report.levels.flatMap((l) => (['Left', 'Right'] as const).flatMap((side) => {
    const area = l.measurements.find((m) => m.name === `foramenArea${side}Mm2`);
    const height = l.measurements.find((m) => m.name === `foramenHeight${side}Mm`);
    return area?.sourceImage && area.outlineLps?.length
      ? [{ sopInstanceUid: area.sourceImage.sopInstanceUid, label: `${l.level} ${side.toLowerCase()} foramen${height ? ` ${height.value.toFixed(0)} mm` : ''}`, outlineLps: area.outlineLps }]
      : [];
  })));
}
