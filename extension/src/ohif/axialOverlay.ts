/**
 * The axial evidence of the canal grade: the outline of the measured dural sac and its area drawn on
 * the axial T2 image it was measured on (outlineOverlay.ts).
 */
import type { SpineReport } from '../pipeline/report';
import { createOutlineOverlay } from './outlineOverlay';

const show = createOutlineOverlay('spine-axial-sac', '#ffd400');

/**
 * Show the dural sac outlines of `report` (replacing earlier ones), labelled with level, area and canal grade
 * (reader changes included: call again after an edit); for a fresh analysis or a report read from a stored SR.
 */
export function showAxialOutlines(report: SpineReport): void {
  show(report.levels.flatMap((l) => l.measurements.filter((m) => m.name === 'duralSacAreaMm2' && m.sourceImage && m.outlineLps?.length).map((m) => {
    const g = l.centralCanalStenosis;
    return {
      sopInstanceUid: m.sourceImage!.sopInstanceUid,
      frameNumber: m.sourceImage!.frameNumber,
      label: `${l.level} dural sac ${m.value.toFixed(0)} mm²${g.value !== null ? ` · ${g.value === 'none' ? 'no stenosis' : `${g.value} stenosis`}${g.readerModified ? '*' : ''}` : ''}`,
      outlineLps: m.outlineLps!,
    };
  })));
}
